using System.Text;
using Hub.Ingest.Connections;
using Hub.Ingest.Webhooks;

namespace Hub.Ingest.Tests.Webhooks;

public sealed class PropstreetWebhookEventsTests
{
    private static WebhookReading Read(string json) => WebhookReading.Read(SourceConnection.Propstreet, Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_prospect_is_keyed_by_its_project_and_id_as_its_stream_is()
    {
        var reading = Read("""{"event":"prospect.updated","timestamp":"2026-03-01T12:00:00Z","data":{"id":"200012","projectId":"1003","updatedUtc":"2026-03-01T12:00:00Z","etag":"W/\"1\""}}""");

        var observed = Assert.IsType<WebhookReading.Observed>(reading);
        Assert.Equal("prospect", observed.Resource);
        Assert.Equal("1003:200012", Assert.Single(observed.Records).Id);
    }

    [Fact]
    public void A_delete_without_a_deletedUtc_is_still_a_delete_stamped_with_its_updatedUtc()
    {
        var reading = Read("""{"event":"company.deleted","timestamp":"2026-03-01T12:00:01Z","data":{"id":77,"updatedUtc":"2026-03-01T12:00:00.5Z"}}""");

        var record = Assert.Single(Assert.IsType<WebhookReading.Observed>(reading).Records);
        Assert.Equal("77", record.Id);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, 500, TimeSpan.Zero), record.DeletedUtc);
    }

    [Fact]
    public void Timestamps_of_any_fractional_width_are_read_as_instants()
    {
        var whole = Read("""{"event":"contact.updated","data":{"id":"1","updatedUtc":"2026-03-01T12:00:00Z"}}""");
        var seven = Read("""{"event":"contact.updated","data":{"id":"1","updatedUtc":"2026-03-01T12:00:00.1234567Z"}}""");

        var wholeUtc = Assert.Single(Assert.IsType<WebhookReading.Observed>(whole).Records).UpdatedUtc;
        var sevenUtc = Assert.Single(Assert.IsType<WebhookReading.Observed>(seven).Records).UpdatedUtc;
        Assert.Equal(1234567, (sevenUtc - wholeUtc)!.Value.Ticks);
    }

    [Theory]
    [InlineData("""{"event":"property.updated","data":{"id":"1"}}""")]
    [InlineData("""{"event":"contact.merged","data":{"id":"1"}}""")]
    [InlineData("""{"event":"contact.updated","data":{"firstName":"no id"}}""")]
    [InlineData("""{"event":"contact.updated","data":{"id":"1","updatedUtc":"yesterday"}}""")]
    [InlineData("""{"event":"prospect.created","data":{"id":"1"}}""")]
    public void An_authentic_delivery_this_code_cannot_map_is_parked_with_a_reason(string json)
    {
        var parked = Assert.IsType<WebhookReading.Parked>(Read(json));

        Assert.False(string.IsNullOrEmpty(parked.Reason));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("""{"data":{"id":"1"}}""")]
    [InlineData("""{"event":"contact.updated",""")]
    public void A_body_that_is_not_a_JSON_webhook_is_malformed(string json) =>
        Assert.IsType<WebhookReading.Malformed>(Read(json));
}
