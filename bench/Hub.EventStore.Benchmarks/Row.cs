using System.Diagnostics;
using System.Globalization;

namespace Hub.EventStore.Benchmarks;

/// <summary>A measured row of the table; append rows run their share [from, to) of every slice and add the times up.</summary>
internal sealed record Row(string Name, long Events, Func<int, int, Task>? Run = null)
{
    public TimeSpan Elapsed { get; set; }

    /// <summary>CPU of this process and the database server while the row ran (see <see cref="CpuMeter"/>).</summary>
    public TimeSpan Cpu { get; set; }

    /// <summary>The part of <see cref="Cpu"/> this process used.</summary>
    public TimeSpan ClientCpu { get; set; }

    /// <summary>Set once per run, before anything is measured.</summary>
    public static CpuMeter Meter { get; set; } = new(null);

    /// <summary>The row this one is compared with besides COPY (a tuned rebuild: Marten's default rebuild).</summary>
    public Row? Reference { get; init; }

    public double Rate => Events / Elapsed.TotalSeconds;

    public async Task MeasureAsync(int from, int to)
    {
        var cpu = Meter.Now();
        var watch = Stopwatch.StartNew();
        await Run!(from, to);
        Elapsed += watch.Elapsed;
        var now = Meter.Now();
        Cpu += now.Total - cpu.Total;
        ClientCpu += now.Client - cpu.Client;
    }

    public static async Task<Row> TimeAsync(string name, long events, Func<Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var cpu = Meter.Now();
        var watch = Stopwatch.StartNew();
        await run();
        var now = Meter.Now();
        var row = new Row(name, events) { Elapsed = watch.Elapsed, Cpu = now.Total - cpu.Total, ClientCpu = now.Client - cpu.Client };
        row.Report();
        return row;
    }

    /// <summary>Progress on stderr while the run goes on; the table comes at the end.</summary>
    public void Report() =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} {Name}: {Elapsed.TotalSeconds:F1} s, {Rate:N0} events/s, CPU {Cpu.TotalSeconds:F1} s (this process {ClientCpu.TotalSeconds:F1} s)"));

    /// <summary>Events per second of CPU (client and server together).</summary>
    public double CpuRate => Events / Cpu.TotalSeconds;

    public static void Print(IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var copy = rows[0];
        var width = rows.Max(r => r.Name.Length);
        Console.WriteLine($"| {"Scenario".PadRight(width)} | {"Events",9} | {"Seconds",8} | {"Events/s",10} | {"vs COPY",8} | {"Events/CPU-s",12} | {"vs COPY",8} | {"vs default rebuild",22} |");
        Console.WriteLine($"|{new string('-', width + 2)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 12)}|{new string('-', 10)}|{new string('-', 14)}|{new string('-', 10)}|{new string('-', 24)}|");
        foreach (var row in rows)
        {
            var versus = row.Reference is null ? "" : string.Create(CultureInfo.InvariantCulture,
                $"{row.Rate / row.Reference.Rate:F2}x, CPU {row.CpuRate / row.Reference.CpuRate:F2}x");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name.PadRight(width)} | {row.Events,9:N0} | {row.Elapsed.TotalSeconds,8:F2} | {row.Rate,10:N0} | {row.Rate / copy.Rate,7:P0} | {row.CpuRate,12:N0} | {row.CpuRate / copy.CpuRate,7:P0} | {versus,22} |"));
        }
    }
}
