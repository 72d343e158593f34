using System.Text.Json;

namespace Hub.Contracts.Changes;

/// <summary>
/// The <c>data</c> of every published change event. The CloudEvents envelope around it carries <c>id</c> (the
/// stored event's id: the same change always has the same id), <c>source</c>, <c>type</c>
/// (<see cref="ChangeEventTypes"/>: <c>propstreet.contact.updated.v1</c>), <c>subject</c> (the record's stream,
/// <c>propstreet-contact-123</c>), <c>time</c> and the <c>streamversion</c> extension (= <see cref="StreamVersion"/>).
/// Version 1 of this shape; a breaking change gets a new type suffix (<c>.v2</c>) published beside the old one.
/// </summary>
/// <param name="Source">e.g. <c>propstreet</c>.</param>
/// <param name="Resource">e.g. <c>contact</c>.</param>
/// <param name="Id">The source's id of the record.</param>
/// <param name="Change"><c>created</c>, <c>updated</c>, <c>deleted</c> or <c>revived</c>.</param>
/// <param name="StreamVersion">The record's own sequence: each change of one record has a higher one. Drop a change whose version is not above the last one you applied.</param>
/// <param name="UpdatedUtc">The source's last-modified instant of this state.</param>
/// <param name="DeletedUtc">Set on <c>deleted</c>.</param>
/// <param name="ETag">The source's version tag of this state, when it has one.</param>
/// <param name="ChangedFields">Top-level field names that changed (all of them on <c>created</c> and <c>revived</c>).</param>
/// <param name="Record">The whole record after the change, as the source represents it.</param>
public sealed record RecordChanged(
    string Source,
    string Resource,
    string Id,
    string Change,
    long StreamVersion,
    DateTimeOffset? UpdatedUtc,
    DateTimeOffset? DeletedUtc,
    string? ETag,
    IReadOnlyList<string> ChangedFields,
    JsonElement Record);
