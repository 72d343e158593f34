// Usage: Hub.EventStore.TestWorker [stall-after-events]
// Runs the HotCold daemon with the test projection and subscription on ConnectionStrings__Postgres until killed.
// Prints "STARTED" once the host runs, and "MID-BATCH" when armed and both stopped inside a batch.
using System.Globalization;
using Hub.EventStore.TestWorker;
using Microsoft.Extensions.Hosting;

if (args.Length > 0)
    MidBatchStall.Arm(long.Parse(args[0], CultureInfo.InvariantCulture));

var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
    ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set.");
using var host = TestEventStore.CreateHostBuilder(connectionString).Build();
await host.StartAsync();
Console.Out.WriteLine(WorkerSignals.Started);
await Console.Out.FlushAsync();
await host.WaitForShutdownAsync();
