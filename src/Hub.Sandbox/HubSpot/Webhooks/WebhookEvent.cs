using System.Text.Json.Serialization;

namespace Hub.Sandbox.HubSpot.Webhooks;

/// <summary>
/// One event of a delivery, as HubSpot's webhooks API sends it (the POST body is a JSON array of these). Fields a
/// kind of event does not carry are left out. <see cref="AttemptNumber"/> is 0 on the first attempt. An
/// <c>associationChange</c> names both ends (<see cref="FromObjectId"/>, <see cref="ToObjectId"/>) instead of an
/// <see cref="ObjectId"/>.
/// </summary>
public sealed record WebhookEvent(
    long EventId,
    long SubscriptionId,
    long PortalId,
    long AppId,
    long OccurredAt,
    string SubscriptionType,
    int AttemptNumber,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ObjectId,
    string ChangeSource,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SourceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ChangeFlag = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PropertyName = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PropertyValue = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? PrimaryObjectId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<long>? MergedObjectIds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NewObjectId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? NumberOfPropertiesMoved = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AssociationType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? FromObjectId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ToObjectId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? AssociationRemoved = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? IsPrimaryAssociation = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AssociationCategory = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? AssociationTypeId = null);

/// <summary>A subscription in force: its id (as events carry it), type and, for property changes, the property (null = all).</summary>
public sealed record WebhookSubscription(long Id, string SubscriptionType, string? PropertyName, bool Active);

/// <summary>The app's webhook settings in force: <c>GET/PUT {admin}/hubspot/webhooks</c>.</summary>
public sealed record WebhookSettings(Uri? TargetUrl, IReadOnlyList<WebhookSubscription> Subscriptions);

/// <summary>One POST of a delivery, for <c>GET {admin}/hubspot/webhooks/deliveries</c>.</summary>
public sealed record WebhookAttempt(string DeliveryId, int AttemptNumber, int Events, DateTimeOffset SentAt, int? Status, string? Error);
