using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Hub.HubSpot.Benchmarks;

/// <summary>The hub's hosts as processes of their own (`dotnet &lt;dll&gt;`), and what is read from /proc and PostgreSQL about them.</summary>
internal static class Hosts
{
    /// <summary>A host's Release build output, next to this benchmark in the repository.</summary>
    public static string Dll(string project)
    {
        var dll = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, $"../../../../../src/{project}/bin/Release/net10.0/{project}.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} in Release first (dotnet build -c Release src/{project}); looked for {dll}.");
    }

    /// <summary>
    /// Runs a host from its own folder (its appsettings.json), logging warnings only, to this process's stderr; on
    /// <paramref name="cpu"/> alone when given (taskset execs the host, so the process is the host's).
    /// </summary>
    public static Process Start(string dll, IReadOnlyDictionary<string, string> environment, int? cpu = null)
    {
        var start = cpu is { } core
            ? new ProcessStartInfo("taskset", ["-c", core.ToString(CultureInfo.InvariantCulture), "dotnet", dll])
            : new ProcessStartInfo("dotnet", [dll]);
        (start.RedirectStandardOutput, start.RedirectStandardError, start.WorkingDirectory) = (true, true, Path.GetDirectoryName(dll));
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && line.Contains("\"@l\":\"Error\"", StringComparison.Ordinal)) Console.Error.WriteLine(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Peak resident set (VmHWM) of a process, in bytes.</summary>
    public static long PeakRss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024
            : 0;

    /// <summary>CPU time (user + system) a process has used so far, from /proc/{pid}/stat (USER_HZ = 100).</summary>
    public static TimeSpan Cpu(int pid)
    {
        // The fields after the command name, which is in parentheses and may hold spaces.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>
    /// CPU time of every process on this machine whose command name is <paramref name="command"/> (the broker's
    /// <c>beam.smp</c>, in a container or not); null when none is visible (a broker on another machine).
    /// </summary>
    public static TimeSpan? CpuOfProcessesNamed(string command)
    {
        TimeSpan? total = null;
        foreach (var pid in ProcessesNamed(command))
        {
            try
            {
                total = (total ?? TimeSpan.Zero) + Cpu(pid);
            }
            catch (IOException)
            {
                // Exited meanwhile.
            }
        }

        return total;
    }

    /// <summary>
    /// Moves every thread of this process and of every process named in <paramref name="commands"/> (servers in
    /// containers included) to <paramref name="cpus"/> (a taskset list: "1", "0-1"). PostgreSQL's later backends
    /// inherit it from the postmaster.
    /// </summary>
    public static async Task PinAsync(string cpus, params string[] commands)
    {
        foreach (var pid in commands.SelectMany(ProcessesNamed).Append(Environment.ProcessId))
        {
            using var taskset = Process.Start(new ProcessStartInfo("taskset", ["-a", "-pc", cpus, pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true })!;
            await taskset.WaitForExitAsync();
        }
    }

    private static IEnumerable<int> ProcessesNamed(string command)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string? name;
            try
            {
                name = int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out _) ? File.ReadAllText($"{directory}/comm").TrimEnd('\n') : null;
            }
            catch (IOException)
            {
                name = null; // exited meanwhile
            }

            if (name == command)
                yield return int.Parse(Path.GetFileName(directory), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Starts a new peak (VmHWM) for this process: Linux resets it on writing 5 to clear_refs.</summary>
    public static void ResetPeakRss() => File.WriteAllText("/proc/self/clear_refs", "5");

    public static string MiB(long bytes) => $"{bytes / 1024.0 / 1024:N0} MiB";

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Polls until <paramref name="done"/> holds; fails when <paramref name="alive"/> stops holding or the deadline passes.</summary>
    public static async Task WaitAsync(string what, Func<Task<bool>> done, Func<string?> failed, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!await done())
        {
            if (failed() is { } reason)
                throw new InvalidOperationException($"{what}: {reason}.");
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"{what}: not done within {timeout}.");
            await Task.Delay(100);
        }
    }
}
