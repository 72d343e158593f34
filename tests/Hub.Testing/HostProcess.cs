using System.Diagnostics;

namespace Hub.Testing;

/// <summary>
/// A hub host (<c>Hub.Ingest</c>, <c>Hub.Projections</c>) as a process of its own (the build output next to the
/// tests), so a test can kill it outright — no graceful stop, no disposal, its sockets closed by the OS — as a
/// crashed pod dies.
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;

    public HostProcess(string host, string postgres, Uri rabbitMq, IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(rabbitMq);
        ArgumentNullException.ThrowIfNull(settings);
        // --urls on the command line: it outranks any Urls an appsettings.json in the test output carries.
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, $"{host}.dll"), "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__Postgres"] = postgres;
        start.Environment["ConnectionStrings__RabbitMq"] = rabbitMq.ToString();
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL: whatever the process was doing stops mid-way.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
