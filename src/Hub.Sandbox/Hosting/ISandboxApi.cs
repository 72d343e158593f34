namespace Hub.Sandbox.Hosting;

/// <summary>
/// One emulated API's in-memory state (Propstreet, Property Finder). The admin surface's reset/reseed
/// replaces every registered API's state with freshly generated data.
/// </summary>
public interface ISandboxApi
{
    string Name { get; }

    /// <summary>Drops all state (records, idempotency keys, webhook subscriptions and history) and generates anew.</summary>
    void Reseed(int seed, SandboxSizes sizes);
}
