using System.Diagnostics;

namespace Hub.Hosts.Tests.Scripts;

/// <summary>Runs <c>scripts/infra.sh</c> as a user would, in a folder of the test's own.</summary>
internal sealed class InfraScript : IAsyncDisposable
{
    private readonly string _parent = System.IO.Directory.CreateTempSubdirectory("hub-infra-test.").FullName;

    public InfraScript()
    {
        // As root the servers run as the postgres and rabbitmq users, who must be able to reach the folder.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory = Path.Combine(_parent, "infra");
    }

    /// <summary>The state folder handed to the script with <c>--dir</c>.</summary>
    public string Directory { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, "scripts", "infra.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(arguments[0]);
        start.ArgumentList.Add("--dir");
        start.ArgumentList.Add(Directory);
        foreach (var argument in arguments.Skip(1))
            start.ArgumentList.Add(argument);
        // The servers of the outer test run are not this script's business.
        start.Environment.Remove("HUB_INFRA_DIR");
        return Process.Start(start) ?? throw new InvalidOperationException("infra.sh did not start");
    }

    public async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Reads a value the script exported into its env file, e.g. <c>ConnectionStrings__Postgres</c>.</summary>
    public string Exported(string name)
    {
        var prefix = $"export {name}=";
        var line = File.ReadLines(Path.Combine(Directory, "env")).Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line[prefix.Length..].Trim('\'');
    }

    /// <summary>Processes whose command line mentions the state folder (servers, epmd), as <c>pgrep -f</c> sees them.</summary>
    public string StrayProcesses()
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-a", "-f", Directory]) { RedirectStandardOutput = true })!;
        var output = pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (System.IO.Directory.Exists(Directory))
            await RunAsync("down");
        System.IO.Directory.Delete(_parent, recursive: true);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IntegrationHub.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("IntegrationHub.sln not found above " + AppContext.BaseDirectory);
    }
}
