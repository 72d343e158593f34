namespace Hub.EventStore.Types;

/// <summary>
/// Where an event came from and why. The store stamps the recorded time itself (<see cref="Reading.RecordedEvent.RecordedAt"/>).
/// </summary>
/// <param name="CorrelationId">Id shared by everything one original trigger caused (e.g. one poll page, one webhook).</param>
/// <param name="CausationId">Id of the message or event that directly caused this one.</param>
/// <param name="Source">System that observed the change, e.g. <c>propstreet</c>.</param>
public sealed record EventMetadata(string? CorrelationId = null, string? CausationId = null, string? Source = null)
{
    public static EventMetadata Empty { get; } = new();
}
