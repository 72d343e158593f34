namespace Hub.Sandbox.Hosting;

/// <summary>The <c>Sandbox</c> configuration section.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Seed of the data generator: the same seed and sizes give the same records.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The control surface (drive changes, inject faults, reseed) is mapped only when this is on.</summary>
    public bool AdminEnabled { get; set; }

    public string AdminPrefix { get; set; } = "/_sandbox";

    public SandboxSizes Sizes { get; set; } = new();
}

public sealed class SandboxSizes
{
    public int Contacts { get; set; } = 10_000;
    public int Companies { get; set; } = 2_000;
    public int Projects { get; set; } = 300;
    public int ProspectsPerProject { get; set; } = 20;
    public int Leads { get; set; } = 2_000;

    /// <summary>Share (0..1) of generated records that start soft-deleted.</summary>
    public double DeletedShare { get; set; } = 0.03;
}
