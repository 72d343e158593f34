namespace Hub.Hosts.Tests.Deploy;

/// <summary>The images from deploy/ and the compose stack, started for real and removed again.</summary>
public sealed class ComposeStackTests
{
    [Fact]
    public async Task Compose_stack_comes_up_ready_answers_through_every_host_and_leaves_nothing_behind()
    {
        var (exitCode, output) = await RepositoryScript.RunAsync("scripts/compose-smoke.sh", TimeSpan.FromMinutes(12));

        Assert.True(exitCode == 0, output);
        Assert.Contains("migrate exited 0", output, StringComparison.Ordinal);
        Assert.Contains("all checks passed", output, StringComparison.Ordinal);
        Assert.Contains("nothing left behind", output, StringComparison.Ordinal);
    }
}
