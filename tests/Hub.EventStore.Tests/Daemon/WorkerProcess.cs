using System.Diagnostics;
using System.Threading.Channels;
using Hub.EventStore.TestWorker;

namespace Hub.EventStore.Tests.Daemon;

/// <summary>Hub.EventStore.TestWorker as a real child process, its stdout lines readable by the test.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private WorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _lines.Writer.TryWrite(e.Data);
        };
    }

    public int Id => _process.Id;

    /// <summary>Starts a worker and waits until its host runs (generous deadline).</summary>
    public static async Task<WorkerProcess> StartAsync(string connectionString, params string[] args)
    {
        var workerDll = Path.Combine(AppContext.BaseDirectory, typeof(TestEventStore).Assembly.GetName().Name + ".dll");
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(workerDll);
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);
        startInfo.Environment["ConnectionStrings__Postgres"] = connectionString;

        var worker = new WorkerProcess(Process.Start(startInfo)!);
        worker._process.BeginOutputReadLine();
        await worker.WaitForLineAsync(WorkerSignals.Started);
        return worker;
    }

    /// <summary>Waits for a line; fails only if it never comes within a generous deadline.</summary>
    public async Task WaitForLineAsync(string line)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            while (await _lines.Reader.ReadAsync(deadline.Token) != line)
            {
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Worker {Id} never printed '{line}'.");
        }
    }

    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
