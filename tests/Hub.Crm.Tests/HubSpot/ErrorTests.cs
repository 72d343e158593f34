using Hub.Crm.HubSpot;

namespace Hub.Crm.Tests.HubSpot;

public sealed class ErrorTests : HubSpotTest
{
    [Fact]
    public async Task An_unknown_property_fails_every_record_of_the_batch_as_a_validation_error_not_worth_retrying()
    {
        var client = StartHub();

        var result = await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties(("no_such_property", "x"))), new("ps-2", Properties())]);

        Assert.All(result.Records, r => Assert.Equal((HubSpotErrorCategory.Validation, false), (r.Error?.Category, r.Error?.Retryable ?? true)));
        Assert.Contains("no_such_property", result.Records[0].Error!.Message, StringComparison.Ordinal);
        Assert.Single(Sandbox.RequestsTo("POST", "/crm/v3/objects/contacts/batch/upsert"));
    }

    [Fact]
    public async Task A_wrong_token_is_an_auth_failure_sent_once_and_the_token_never_reaches_a_log()
    {
        var client = StartHub(new Dictionary<string, string?> { ["AccessToken"] = "pat-na1-wrong-" + Guid.NewGuid() });
        var wrongToken = Logs.Count;

        var upsert = await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties())]);
        var read = await Assert.ThrowsAsync<HubSpotException>(() => client.GetOwnersAsync());

        Assert.Equal(HubSpotErrorCategory.Auth, Assert.Single(upsert.Records).Error?.Category);
        Assert.Equal(HubSpotErrorCategory.Auth, read.Error.Category);
        Assert.Equal(2, Sandbox.Requests.Count);
        Assert.True(Logs.Count > wrongToken, "the requests were logged");
        Assert.DoesNotContain(Logs, line => line.Contains("pat-na1-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_access_token_never_reaches_a_log_of_a_working_connection()
    {
        var client = StartHub();

        await client.UpsertAsync("contacts", "propstreet_id", [new("ps-1", Properties())]);
        await client.GetOwnersAsync();

        Assert.Contains(Logs, line => line.Contains("/crm/v3/owners", StringComparison.Ordinal));
        Assert.DoesNotContain(Logs, line => line.Contains(Sandbox.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_object_type_is_a_typed_failure_of_the_read()
    {
        var client = StartHub();

        var error = await Assert.ThrowsAsync<HubSpotException>(async () =>
        {
            await foreach (var _ in client.ListAsync("no_such_objects", []))
            {
            }
        });

        Assert.Contains(error.Error.Category, new[] { HubSpotErrorCategory.Validation, HubSpotErrorCategory.NotFound });
        Assert.False(error.Error.Retryable);
    }
}
