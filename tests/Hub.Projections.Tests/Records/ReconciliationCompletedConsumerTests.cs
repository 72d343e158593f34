using Hub.Contracts.Observations;
using static Hub.Projections.Tests.Observations;

namespace Hub.Projections.Tests.Records;

public sealed class ReconciliationCompletedConsumerTests
{
    [Fact]
    public async Task A_completed_pass_marks_the_contacts_it_did_not_see_deleted()
    {
        await using var hub = await ProjectionsHost.CreateAsync("reconcile");
        hub.StartHost(concurrency: 1);
        await hub.SendAsync(Page("poll:main:contact:p1", Enumerable.Range(1, 5).Select(i => Contact(i, 1))));

        await hub.SendAsync(new ReconciliationCompleted("reconcile:main:contact:1", "propstreet", "main", "contact", Start.AddHours(1), ["1", "2", "3"]));
        await ProjectionsHost.WaitUntilAsync(async () => (await hub.RecordsAsync()).Count(r => r.IsDeleted) == 2);

        var records = (await hub.RecordsAsync()).ToDictionary(r => r.RecordId);
        Assert.Equal(["4", "5"], records.Values.Where(r => r.IsDeleted).Select(r => r.RecordId).Order());
        Assert.All(records.Values.Where(r => r.IsDeleted), r => Assert.True(r.DeletedUnseen));
    }
}
