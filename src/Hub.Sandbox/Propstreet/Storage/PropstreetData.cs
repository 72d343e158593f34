using Hub.Sandbox.Propstreet.Companies;
using Hub.Sandbox.Propstreet.Contacts;
using Hub.Sandbox.Propstreet.Projects;
using Hub.Sandbox.Propstreet.Properties;
using Hub.Sandbox.Propstreet.Prospects;

namespace Hub.Sandbox.Propstreet.Storage;

/// <summary>All Propstreet records, one keyset store per resource type.</summary>
public sealed class PropstreetData(TimeProvider clock)
{
    public RecordStore<Contact> Contacts { get; } = new(clock);

    public RecordStore<Company> Companies { get; } = new(clock);

    public RecordStore<Project> Projects { get; } = new(clock);

    public RecordStore<Prospect> Prospects { get; } = new(clock);

    public RecordStore<PropertyProfile> Properties { get; } = new(clock);
}
