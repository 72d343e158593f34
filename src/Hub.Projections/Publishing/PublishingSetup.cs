using Marten;

namespace Hub.Projections.Publishing;

public static class PublishingSetup
{
    /// <summary>
    /// The change publisher: a subscription in the host's async daemon (batches of up to 500 events) writing to
    /// <c>hub.changes</c> through <see cref="ChangeExchange"/>, which connects on the first batch.
    /// </summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddChangePublisher(
        this MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        ArgumentNullException.ThrowIfNull(marten);
        marten.Services.AddSingleton<ChangeExchange>();
        return marten.AddSubscriptionWithServices<ChangePublisher>(ServiceLifetime.Singleton, s => s.Options.BatchSize = 500);
    }
}
