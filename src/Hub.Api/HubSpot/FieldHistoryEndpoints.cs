using System.Text.Json;
using System.Text.Json.Serialization;
using Hub.Api.Access;
using Hub.Crm.HubSpot;
using Hub.EventStore;
using Hub.Sync;
using Hub.Sync.HubSpot;
using Npgsql;

namespace Hub.Api.HubSpot;

/// <summary>
/// <c>GET /api/hubspot/records/{streamKey}/fields/{property}</c>: why HubSpot holds the value it holds for one property
/// of a source record — the source change that brought it, the two-way decision that kept it (which side won, the
/// versions and instants compared, the rule), when it reached HubSpot — in one call (<see cref="HubSpotFieldHistory"/>).
/// </summary>
public static class FieldHistoryEndpoints
{
    private const string EventsTable = EventStoreSetup.SchemaName + ".mt_events";

    // As the store writes events: camelCase, enums as strings.
    private static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static IEndpointRouteBuilder MapFieldHistoryEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/hubspot/records/{streamKey}/fields/{property}", GetFieldHistoryAsync)
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("GetHubSpotFieldHistory")
            .WithTags("HubSpot")
            .WithSummary("Why HubSpot holds this value: the changes, decisions and pushes behind one property of a record")
            .WithDescription("streamKey is the source record's ({source}-{resource}-{id}, e.g. propstreet-contact-123); property is the "
                + "HubSpot property (email, firstname, propstreet_tags…); connection names the HubSpot connection (may be left out when only one is configured).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> GetFieldHistoryAsync(
        string streamKey, string property, HubSpotClients clients, NpgsqlDataSource database, CancellationToken cancellationToken, string? connection = null)
    {
        var (client, problem) = HubSpotConnectionQuery.Resolve(clients, connection);
        if (client is null)
            return problem!;

        var events = new List<StoredEvent>();
        await using (var command = database.CreateCommand($"select version, type, timestamp, data::text from {EventsTable} where stream_id = $1 order by version"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = streamKey });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                // Events of kinds this explanation does not use are skipped, not failed on.
                if (StoredEventNames.TypeOf(reader.GetString(1)) is { } type && JsonSerializer.Deserialize(reader.GetString(3), type, Stored) is { } data)
                    events.Add(new StoredEvent(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(2), data));
            }
        }

        if (events.Count == 0)
            return TypedResults.Problem(title: "Record not found", detail: $"No record stream has the key '{streamKey}'.", statusCode: StatusCodes.Status404NotFound);
        return TypedResults.Ok(HubSpotFieldHistory.Explain(streamKey, client.Name, property, events));
    }
}
