using System.Text.Json;
using Hub.Contracts.Observations;
using Hub.Projections.Records;
using Hub.Sync.Records;

namespace Hub.Projections.Tests.Records;

public sealed class ObservationDecisionTests
{
    private static readonly DateTimeOffset T1 = new(2026, 11, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = T1.AddMinutes(5);

    [Fact]
    public void Late_webhook_never_rolls_a_contact_back()
    {
        var state = Apply(null, Observed("123", T1, "W/\"1\"", """{"name":"Ada"}"""));
        state = Apply(state, Observed("123", T2, "W/\"2\"", """{"name":"Ada Lovelace"}"""));

        var late = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T1, "W/\"1\"", """{"name":"Ada"}"""));

        Assert.Equal(ObservationOutcome.Stale, late.Outcome);
        Assert.Empty(late.Events);
    }

    [Fact]
    public void Same_updatedUtc_with_a_higher_etag_is_newer_and_with_a_lower_one_is_stale()
    {
        var state = Apply(null, Observed("123", T1, "W/\"0002\"", """{"name":"Ada"}"""));

        var newer = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T1, "W/\"0003\"", """{"name":"Ada L"}"""));
        var older = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T1, "W/\"0001\"", """{"name":"Old"}"""));

        var updated = Assert.IsType<RecordUpdated>(Assert.Single(newer.Events).Data);
        Assert.Equal("Ada L", updated.Changed.GetProperty("name").GetString());
        Assert.Equal(ObservationOutcome.Stale, older.Outcome);
    }

    [Fact]
    public void The_same_version_seen_again_appends_nothing()
    {
        var observed = Observed("123", T1, "W/\"1\"", """{"name":"Ada"}""");
        var state = Apply(null, observed);

        Assert.Equal(ObservationOutcome.Unchanged, ObservationDecision.Decide(state, "propstreet", "main", "contact", observed).Outcome);
    }

    [Fact]
    public void Timestamps_of_one_instant_with_other_fractional_widths_are_the_same_version()
    {
        var state = Apply(null, Observed("123", DateTimeOffset.Parse("2026-11-01T10:00:00.1200000Z", null), "W/\"1\"", """{"name":"Ada"}"""));

        var again = ObservationDecision.Decide(state, "propstreet", "main", "contact",
            Observed("123", DateTimeOffset.Parse("2026-11-01T10:00:00.12Z", null), "W/\"1\"", """{"name":"Ada"}"""));

        Assert.Equal(ObservationOutcome.Unchanged, again.Outcome);
    }

    [Fact]
    public void An_update_carries_only_the_changed_top_level_fields_and_names_removed_ones()
    {
        var state = Apply(null, Observed("123", T1, "1", """{"name":"Ada","email":"a@x","tags":["a"]}"""));

        var decision = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T2, "2", """{"name":"Ada","tags":["a","b"]}"""));

        var updated = Assert.IsType<RecordUpdated>(Assert.Single(decision.Events).Data);
        Assert.Equal(["tags"], updated.Changed.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["email"], updated.Removed);
        var after = SourceRecord.Fold(state, state.Id, updated, state.Version + 1);
        Assert.True(JsonElement.DeepEquals(Json("""{"name":"Ada","tags":["a","b"]}"""), after.Fields));
    }

    [Fact]
    public void A_deletedUtc_on_a_live_record_deletes_it_and_a_later_live_observation_revives_it()
    {
        var state = Apply(null, Observed("123", T1, "1", """{"name":"Ada"}"""));

        var deletion = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T2, "2", """{"name":"Ada"}""", deleted: T2));
        state = Fold(state, deletion);
        var revival = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T2.AddMinutes(1), "3", """{"name":"Ada"}"""));

        Assert.IsType<RecordDeleted>(Assert.Single(deletion.Events).Data);
        Assert.True(state.IsDeleted);
        Assert.IsType<RecordRevived>(Assert.Single(revival.Events).Data);
        Assert.False(Fold(state, revival).IsDeleted);
    }

    [Fact]
    public void A_late_live_observation_of_a_deleted_record_does_not_revive_it()
    {
        var state = Apply(null, Observed("123", T1, "1", """{"name":"Ada"}"""));
        state = Apply(state, Observed("123", T2, "2", """{"name":"Ada"}""", deleted: T2));

        var late = ObservationDecision.Decide(state, "propstreet", "main", "contact", Observed("123", T1, "1", """{"name":"Ada"}"""));

        Assert.Equal(ObservationOutcome.Stale, late.Outcome);
    }

    [Fact]
    public void A_record_first_seen_deleted_is_created_and_deleted()
    {
        var decision = ObservationDecision.Decide(null, "propstreet", "main", "contact", Observed("9", T1, "1", """{"name":"Gone"}""", deleted: T1));

        Assert.Collection(decision.Events, e => Assert.IsType<RecordCreated>(e.Data), e => Assert.IsType<RecordDeleted>(e.Data));
    }

    [Fact]
    public void A_poll_and_a_webhook_of_one_version_decide_the_same_event_ids()
    {
        var state = Apply(null, Observed("123", T1, "1", """{"name":"Ada"}"""));
        var observed = Observed("123", T2, "2", """{"name":"Ada L"}""");

        var fromPoll = ObservationDecision.Decide(state, "propstreet", "poll-connection", "contact", observed);
        var fromWebhook = ObservationDecision.Decide(state, "propstreet", "poll-connection", "contact", observed with { });

        Assert.Equal(fromPoll.Events.Select(e => e.Id), fromWebhook.Events.Select(e => e.Id));
    }

    [Fact]
    public void Reconciliation_marks_an_unseen_record_deleted_but_not_one_changed_after_the_pass_started()
    {
        var state = Apply(null, Observed("123", T1, "1", """{"name":"Ada"}"""));
        var pass = new ReconciliationCompleted("reconcile:main:contact:1", "propstreet", "main", "contact", T2, []);

        var unseen = ObservationDecision.DecideUnseen(state, pass);
        var tooNew = ObservationDecision.DecideUnseen(state, pass with { StartedUtc = T1 });

        var deleted = Assert.IsType<RecordDeleted>(unseen?.Data);
        Assert.True(deleted.Unseen);
        Assert.Null(tooNew);
    }

    [Fact]
    public void A_record_seen_again_after_a_reconciliation_deleted_it_is_revived()
    {
        var observed = Observed("123", T1, "1", """{"name":"Ada"}""");
        var state = Apply(null, observed);
        var pass = new ReconciliationCompleted("reconcile:main:contact:1", "propstreet", "main", "contact", T2, []);
        state = SourceRecord.Fold(state, state.Id, ObservationDecision.DecideUnseen(state, pass)!.Data, state.Version + 1);

        var again = ObservationDecision.Decide(state, "propstreet", "main", "contact", observed);

        Assert.IsType<RecordRevived>(Assert.Single(again.Events).Data);
    }

    private static ObservedRecord Observed(string id, DateTimeOffset updated, string etag, string json, DateTimeOffset? deleted = null) =>
        new(id, updated, deleted, etag, Json(json));

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static SourceRecord Apply(SourceRecord? state, ObservedRecord observed) =>
        Fold(state, ObservationDecision.Decide(state, "propstreet", "main", "contact", observed));

    private static SourceRecord Fold(SourceRecord? state, Decision decision)
    {
        Assert.Equal(ObservationOutcome.Append, decision.Outcome);
        foreach (var e in decision.Events)
            state = SourceRecord.Fold(state, "propstreet-contact-123", e.Data, (state?.Version ?? 0) + 1);
        return state!;
    }
}
