namespace Hub.Hosts.Tests.Scripts;

public sealed class InfraScriptTests
{
    [Fact]
    public async Task Failing_command_leaves_no_servers_and_no_folder_behind()
    {
        await using var infra = new InfraScript();

        var (exitCode, output) = await infra.RunAsync("run", "--services", "postgres,rabbitmq", "--", "bash", "-c", "exit 3");

        Assert.True(exitCode == 3, output);
        Assert.Contains("RabbitMQ on 127.0.0.1", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(infra.Directory), output);
        Assert.Equal("", infra.StrayProcesses());
    }

    [Fact]
    public async Task Interrupted_run_stops_the_command_then_removes_the_servers()
    {
        await using var infra = new InfraScript();

        // The command interrupts the script that runs it, as Ctrl-C or a CI cancellation would, and then
        // would run for minutes unless the script passes the signal on.
        var (exitCode, output) = await infra.RunAsync("run", "--services", "postgres", "--", "bash", "-c", "kill -TERM $PPID; exec sleep 600");

        Assert.True(exitCode == 143, output);
        Assert.Contains("interrupted: stopping the command", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(infra.Directory), output);
        Assert.Equal("", infra.StrayProcesses());
    }

    [Fact]
    public async Task Two_runs_side_by_side_get_their_own_servers()
    {
        await using var first = new InfraScript();
        await using var second = new InfraScript();

        var up = await Task.WhenAll(first.RunAsync("up", "--services", "postgres"), second.RunAsync("up", "--services", "postgres"));

        Assert.All(up, result => Assert.True(result.ExitCode == 0, result.Output));
        Assert.NotEqual(first.Exported("HUB_POSTGRES_PORT"), second.Exported("HUB_POSTGRES_PORT"));
        await using var a = new Npgsql.NpgsqlConnection(first.Exported("ConnectionStrings__Postgres"));
        await using var b = new Npgsql.NpgsqlConnection(second.Exported("ConnectionStrings__Postgres"));
        await a.OpenAsync();
        await b.OpenAsync();
        Assert.StartsWith(first.Directory, await DataDirectory(a), StringComparison.Ordinal);
        Assert.StartsWith(second.Directory, await DataDirectory(b), StringComparison.Ordinal);

        static async Task<string> DataDirectory(Npgsql.NpgsqlConnection c)
        {
            await using var cmd = new Npgsql.NpgsqlCommand("SHOW data_directory", c);
            return (string)(await cmd.ExecuteScalarAsync())!;
        }
    }
}
