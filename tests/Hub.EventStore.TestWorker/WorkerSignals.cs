namespace Hub.EventStore.TestWorker;

/// <summary>Lines the worker prints on stdout for the test that started it.</summary>
public static class WorkerSignals
{
    public const string Started = "STARTED";

    public const string MidBatch = MidBatchStall.Signal;
}
