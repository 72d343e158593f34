using Hub.Projections.Propstreet;

namespace Hub.Projections.Tests.Propstreet;

/// <summary>
/// Propstreet refusing match=email onto a contact that links another HubSpot id (the sandbox's
/// <c>MatchEmailReplacesRef=false</c>), and answering a no-op upsert untouched (<c>NoOpUpsertTouches=false</c>).
/// </summary>
public sealed class ContactConflictTests : PropstreetWriterTest
{
    protected override IDictionary<string, string?> SandboxSettings => new Dictionary<string, string?>
    {
        ["Sandbox:Propstreet:MatchEmailReplacesRef"] = "false",
        ["Sandbox:Propstreet:NoOpUpsertTouches"] = "false",
    };

    [Fact]
    public async Task An_email_held_by_a_contact_linked_to_another_hubspot_id_is_a_conflict_naming_both_and_resolves_by_moving_the_reference()
    {
        var writer = StartWriter();
        var holder = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "100", new ContactChanges { Email = "ada@example.com" }));

        var conflict = Assert.IsType<PropstreetWriteResult.Conflict>(
            await writer.UpsertContactByExternalRefAsync("hubspot", "200", new ContactChanges { Email = "ada@example.com", FirstName = "Ada" }));

        Assert.Equal(("external-ref-conflict", holder.Id, "hubspot/100"), (conflict.Kind, conflict.RecordId, conflict.HeldExternalRef));
        var detached = Written(await writer.RemoveContactExternalRefAsync(holder.Id, "hubspot", "100"));
        Assert.Empty(Refs(detached.Record, "hubspot"));
        var moved = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "200", new ContactChanges { Email = "ada@example.com", FirstName = "Ada" }));
        Assert.Equal((holder.Id, "updated"), (moved.Id, moved.Action));
        Assert.Equal(["200"], Refs(moved.Record, "hubspot"));
    }

    [Fact]
    public async Task An_upsert_that_changes_nothing_does_not_teach_the_writer_someone_elses_change_origin()
    {
        await Sandbox.UiAsync(HttpMethod.Post, "contacts", new { firstName = "Ada", externalRefs = new[] { new { @namespace = "hubspot", id = "5" } } });
        var writer = StartWriter();

        var written = Written(await writer.UpsertContactByExternalRefAsync("hubspot", "5", new ContactChanges { FirstName = "Ada" }));

        Assert.Equal(("updated", "ui"), (written.Action, written.ChangeOrigin));
        Assert.Null(writer.ChangeOrigin);
    }
}
