namespace Hub.Sandbox.Faults;

/// <summary>
/// Which faults the sandbox injects right now. Immutable: the admin surface swaps in a new profile, so a request
/// sees one consistent set of faults. All shares are 0..1.
/// </summary>
public sealed record FaultProfile
{
    public static readonly FaultProfile None = new();

    /// <summary>Added to every API response.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Share of API requests answered 500/502/503 instead of being served.</summary>
    public double ServerErrorShare { get; init; }

    /// <summary>Share of API requests answered 429 with Retry-After, regardless of the real rate limit.</summary>
    public double TooManyRequestsShare { get; init; }

    /// <summary>Share of API responses whose connection is dropped after part of the body was sent.</summary>
    public double DropConnectionShare { get; init; }

    /// <summary>
    /// Share of API requests that are served (a write is applied) but answered only after <see cref="LateAnswerDelay"/>:
    /// a client that times out first has had its write applied all the same.
    /// </summary>
    public double LateAnswerShare { get; init; }

    /// <summary>How long a late answer is held back; longer than the client's timeout means it never sees one.</summary>
    public TimeSpan LateAnswerDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of webhook deliveries sent twice (same webhook-id).</summary>
    public double WebhookDuplicateShare { get; init; }

    /// <summary>When on, webhook deliveries are held back and sent in shuffled order.</summary>
    public bool WebhookOutOfOrder { get; init; }

    /// <summary>Added to the sandbox clock, so every timestamp handed out is shifted.</summary>
    public TimeSpan ClockSkew { get; init; }

    /// <summary>The Retry-After the injected 429s carry (whole seconds, at least 1).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Why the profile cannot be applied, by property; empty when it is valid.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        CheckShare(errors, nameof(ServerErrorShare), ServerErrorShare);
        CheckShare(errors, nameof(TooManyRequestsShare), TooManyRequestsShare);
        CheckShare(errors, nameof(DropConnectionShare), DropConnectionShare);
        CheckShare(errors, nameof(WebhookDuplicateShare), WebhookDuplicateShare);
        CheckShare(errors, nameof(LateAnswerShare), LateAnswerShare);
        if (LateAnswerDelay < TimeSpan.Zero || LateAnswerDelay > TimeSpan.FromHours(1))
        {
            errors["lateAnswerDelay"] = ["lateAnswerDelay must be between 00:00:00 and 01:00:00."];
        }

        if (ServerErrorShare + TooManyRequestsShare > 1)
        {
            errors["serverErrorShare"] = ["serverErrorShare + tooManyRequestsShare must not exceed 1."];
        }

        if (Latency < TimeSpan.Zero || Latency > TimeSpan.FromMinutes(5))
        {
            errors["latency"] = ["latency must be between 00:00:00 and 00:05:00."];
        }

        if (RetryAfter < TimeSpan.Zero)
        {
            errors["retryAfter"] = ["retryAfter must not be negative."];
        }

        return errors;
    }

    private static void CheckShare(Dictionary<string, string[]> errors, string name, double value)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            errors[char.ToLowerInvariant(name[0]) + name[1..]] = [$"{name} must be between 0 and 1."];
        }
    }
}
