using Hub.EventStore;
using Hub.Projections.HubSpot;
using Hub.Projections.Records;
using JasperFx;
using Marten;

namespace Hub.Projections.Tests.HubSpot;

public sealed class HubSpotReadModelSetupTests
{
    [Fact]
    public void The_schema_is_the_same_whether_or_not_the_process_projects_the_HubSpot_read_model()
    {
        // The migrate job and Hub.Api may run without a HubSpot connection; the tables they create serve the projection.
        Assert.Equal(SchemaScript(projected: true), SchemaScript(projected: false));
    }

    private static string SchemaScript(bool projected)
    {
        using var store = DocumentStore.For(options =>
        {
            EventStoreSetup.Configure(options, AutoCreate.None);
            options.Connection("Host=localhost;Database=unused");
            options.AddRecordStreams().AddHubSpotReadModel(projected);
        });
        return store.Storage.Database.ToDatabaseScript();
    }
}
