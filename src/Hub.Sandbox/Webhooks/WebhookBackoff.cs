namespace Hub.Sandbox.Webhooks;

/// <summary>The retry schedule both APIs use: the base delay before attempt 2, doubled for every later attempt.</summary>
public static class WebhookBackoff
{
    public static TimeSpan Before(int attempt, TimeSpan baseDelay) => baseDelay * Math.Pow(2, attempt - 2);
}
