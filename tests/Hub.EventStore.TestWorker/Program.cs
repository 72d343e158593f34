// Usage: Hub.EventStore.TestWorker <subscription> <batch size> [crash-at-batch]
// Reads ConnectionStrings__Postgres; prints "LEADING" / "STANDBY" when its role changes and
// "MID-BATCH" when it stops inside a batch to be killed.
using System.Globalization;
using Hub.EventStore.Reading;
using Hub.EventStore.Subscriptions;
using Hub.EventStore.TestWorker;
using Hub.EventStore.Types;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

var name = args[0];
var batchSize = int.Parse(args[1], CultureInfo.InvariantCulture);
int? crashAtBatch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : null;

await using var dataSource = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")!);
var runner = new SubscriptionRunner(
    name,
    new ReadModelHandler(crashAtBatch),
    dataSource,
    new EventReader(dataSource, new EventTypeMap()),
    new SubscriptionOptions { BatchSize = batchSize, LeadershipRetryInterval = TimeSpan.FromMilliseconds(100), PollInterval = TimeSpan.FromMilliseconds(200) },
    TimeProvider.System,
    NullLogger<SubscriptionRunner>.Instance);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
var run = runner.RunAsync(stop.Token);

var reported = SubscriptionState.Stopped;
while (!run.IsCompleted)
{
    var state = runner.State;
    if (state != reported && state != SubscriptionState.Stopped)
    {
        Console.Out.WriteLine(state == SubscriptionState.Leading ? "LEADING" : "STANDBY");
        await Console.Out.FlushAsync();
        reported = state;
    }

    await Task.WhenAny(run, Task.Delay(20));
}

await run;
