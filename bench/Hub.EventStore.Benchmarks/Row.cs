using System.Diagnostics;
using System.Globalization;

namespace Hub.EventStore.Benchmarks;

/// <summary>A measured row of the table; append rows run their share [from, to) of every slice and add the times up.</summary>
internal sealed record Row(string Name, long Events, Func<int, int, Task>? Run = null)
{
    public TimeSpan Elapsed { get; set; }

    /// <summary>The row this one is compared with besides COPY (a tuned rebuild: Marten's default rebuild).</summary>
    public Row? Reference { get; init; }

    public double Rate => Events / Elapsed.TotalSeconds;

    public async Task MeasureAsync(int from, int to)
    {
        var watch = Stopwatch.StartNew();
        await Run!(from, to);
        Elapsed += watch.Elapsed;
    }

    public static async Task<Row> TimeAsync(string name, long events, Func<Task> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var watch = Stopwatch.StartNew();
        await run();
        var row = new Row(name, events) { Elapsed = watch.Elapsed };
        row.Report();
        return row;
    }

    /// <summary>Progress on stderr while the run goes on; the table comes at the end.</summary>
    public void Report() =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} {Name}: {Elapsed.TotalSeconds:F1} s, {Rate:N0} events/s"));

    public static void Print(IReadOnlyList<Row> rows, double copyRate)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var width = rows.Max(r => r.Name.Length);
        Console.WriteLine($"| {"Scenario".PadRight(width)} | {"Events",9} | {"Seconds",8} | {"Events/s",10} | {"vs COPY",8} | {"vs default rebuild",18} |");
        Console.WriteLine($"|{new string('-', width + 2)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 12)}|{new string('-', 10)}|{new string('-', 20)}|");
        foreach (var row in rows)
        {
            var versus = row.Reference is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{row.Rate / row.Reference.Rate:F2}x");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name.PadRight(width)} | {row.Events,9:N0} | {row.Elapsed.TotalSeconds,8:F2} | {row.Rate,10:N0} | {row.Rate / copyRate,7:P0} | {versus,18} |"));
        }
    }
}
