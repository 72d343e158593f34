using System.Diagnostics;
using System.Globalization;

namespace Hub.EventStore.Benchmarks;

/// <summary>
/// CPU time spent by this process and by the PostgreSQL server it talks to (its postmaster and every backend and
/// helper process under it, read from /proc). On a machine shared with other work, wall-clock rates swing by 2x from
/// one minute to the next; the CPU one scenario costs barely moves, so ratios are also given in CPU.
/// Available when the server runs on this Linux machine (also in a container); otherwise only the client's CPU is counted.
/// </summary>
internal sealed class CpuMeter(int? postmasterPid)
{
    // USER_HZ: 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;

    public bool IncludesServer => postmasterPid is not null;

    /// <summary>
    /// Finds the server's postmaster as the parent of one of its backends, if that process is visible here: the backend
    /// is <paramref name="backendPid"/> on a local server; in a container on this machine it is the process whose
    /// title names <paramref name="database"/> and whose innermost pid (NSpid) is <paramref name="backendPid"/>.
    /// </summary>
    public static CpuMeter For(int backendPid, string database)
    {
        var backend = Stat(backendPid) is not null && Title(backendPid).Contains(database, StringComparison.Ordinal)
            ? backendPid
            : Directory.EnumerateDirectories("/proc")
                .Select(d => int.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var pid) ? pid : 0)
                .FirstOrDefault(pid => pid > 0 && Title(pid).Contains(database, StringComparison.Ordinal) && InnermostPid(pid) == backendPid);
        return new(backend > 0 && Stat(backend) is { } stat && int.TryParse(stat[1], CultureInfo.InvariantCulture, out var parent) && Stat(parent) is not null ? parent : null);
    }

    private static string Title(int pid) => Read($"/proc/{pid}/cmdline") ?? "";

    private static int InnermostPid(int pid) =>
        Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal)) is { } line
        && int.TryParse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture, out var inner) ? inner : 0;

    /// <summary>CPU used so far: this process, and this process plus the server.</summary>
    public (TimeSpan Client, TimeSpan Total) Now()
    {
        using var self = Process.GetCurrentProcess();
        var client = self.TotalProcessorTime;
        if (postmasterPid is not { } postmaster)
            return (client, client);

        double ticks = 0;
        // The postmaster's own time plus what its exited children left it (cutime, cstime), plus its live children.
        if (Stat(postmaster) is { } own)
            ticks += Field(own, 11) + Field(own, 12) + Field(own, 13) + Field(own, 14);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid) || pid == postmaster)
                continue;
            if (Stat(pid) is { } child && child[1] == postmaster.ToString(CultureInfo.InvariantCulture))
                ticks += Field(child, 11) + Field(child, 12);
        }

        return (client, client + TimeSpan.FromSeconds(ticks / TicksPerSecond));
    }

    private static double Field(string[] fields, int index) => double.Parse(fields[index], CultureInfo.InvariantCulture);

    // /proc/PID/stat after the ")" that closes the command name: state, ppid, ... (fields 3.. of proc(5)), so
    // [1] = ppid, [11] = utime, [12] = stime, [13] = cutime, [14] = cstime.
    private static string[]? Stat(int pid) => Read($"/proc/{pid}/stat") is { } text ? text[(text.LastIndexOf(')') + 2)..].Split(' ') : null;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
