namespace Hub.Hosts.Tests.Deploy;

/// <summary>
/// The manifests under deploy/kubernetes, rendered (the validator's renderer and <c>kubectl kustomize</c> where it is
/// installed) and checked offline against the Kubernetes schemas and the hub's own rules.
/// </summary>
public sealed class KubernetesManifestTests
{
    [Fact]
    public async Task Base_and_every_overlay_render_and_validate_against_the_Kubernetes_schemas()
    {
        var (exitCode, output) = await RepositoryScript.RunAsync("deploy/kubernetes/validate.sh", TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, output);
        Assert.Contains("all manifests valid", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replicas: 2", "replicas: two")]
    [InlineData("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")]
    public async Task A_broken_manifest_fails_validation(string valid, string broken)
    {
        // A copy of the tree with one manifest broken; the validator's installed packages are shared, not copied.
        var copy = Directory.CreateTempSubdirectory("hub-k8s-").FullName;
        try
        {
            var source = Path.Combine(RepositoryScript.Root, "deploy", "kubernetes");
            await RepositoryScript.RunAsync("deploy/kubernetes/validate.sh", TimeSpan.FromMinutes(5));
            CopyTree(source, copy);
            var target = Directory.EnumerateFiles(copy, "*.yaml", SearchOption.AllDirectories)
                .First(f => File.ReadAllText(f).Contains(valid, StringComparison.Ordinal));
            File.WriteAllText(target, File.ReadAllText(target).Replace(valid, broken, StringComparison.Ordinal));

            var (exitCode, output) = await RepositoryScript.RunAsync(Path.Combine(copy, "validate.sh"), TimeSpan.FromMinutes(5));

            Assert.True(exitCode != 0, output);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, dir);
            if (relative.Split(Path.DirectorySeparatorChar).Contains("node_modules"))
                continue;
            Directory.CreateDirectory(Path.Combine(to, relative));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (!relative.Split(Path.DirectorySeparatorChar).Contains("node_modules"))
                File.Copy(file, Path.Combine(to, relative));
        }

        File.CreateSymbolicLink(Path.Combine(to, "validate", "node_modules"), Path.Combine(from, "validate", "node_modules"));
    }
}
