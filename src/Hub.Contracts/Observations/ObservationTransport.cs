namespace Hub.Contracts.Observations;

/// <summary>
/// The durable RabbitMQ queue that carries <see cref="RecordsObserved"/> and <see cref="ReconciliationCompleted"/>
/// from Ingest to Projections (bound to a fanout exchange of the same name, as MassTransit names a queue's exchange).
/// One name for both hosts, so they cannot drift apart. Both declare it alike: quorum when
/// <c>RabbitMq:QuorumQueues=true</c>.
/// </summary>
public static class ObservationTransport
{
    public const string Queue = "hub-observations";
}
