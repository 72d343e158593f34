using Hub.Sync.HubSpot;
using System.Globalization;
using System.Text;
using Hub.Crm.HubSpot;
using Marten;

namespace Hub.Projections.HubSpot;

/// <summary>
/// <c>Hub.Projections parity [connection]</c>: compares the sources with each HubSpot connection (or the one named),
/// prints records per resource on each side and every mismatch, and exits 0 only when there is none.
/// </summary>
public static class HubSpotParityCommand
{
    public const string Verb = "parity";

    public static async Task<int> RunHubSpotParityAsync(this IHost host, IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        await using var scope = host.Services.CreateAsyncScope();
        var clients = scope.ServiceProvider.GetRequiredService<HubSpotClients>();
        var named = args.SkipWhile(a => a != Verb).Skip(1).FirstOrDefault(a => !a.StartsWith('-'));
        var connections = named is null ? clients.Names : [named];
        if (connections.Count == 0)
        {
            await output.WriteLineAsync("No HubSpot connection is configured (HubSpot:Connections:{name}:BaseUrl, AccessToken).");
            return 2;
        }

        var mismatches = 0;
        await using var session = scope.ServiceProvider.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var connection in connections)
        {
            var report = await HubSpotParity.CompareAsync(session, clients[connection], CancellationToken.None);
            await output.WriteAsync(Format(report));
            mismatches += report.Mismatches.Count;
        }

        return mismatches == 0 ? 0 : 1;
    }

    public static string Format(HubSpotParityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Parity with HubSpot connection '{report.Connection}'");
        text.AppendLine(c, $"  {"resource",-24} {"sources",9} {"hubspot",9} {"matched",9}");
        foreach (var r in report.Resources)
            text.AppendLine(c, $"  {r.Resource,-24} {r.Sources,9} {r.HubSpot,9} {r.Matched,9}");
        foreach (var m in report.Mismatches)
            text.AppendLine(c, $"  ≠ {m.Resource} {m.Record} {m.Field}: expected '{m.Expected}', HubSpot '{m.Actual}'{(m.ParkedBecause is null ? "" : $" (parked: {m.ParkedBecause})")}");
        text.AppendLine(c, $"  {report.Mismatches.Count} mismatches, {report.Mismatches.Count(m => m.ParkedBecause is not null)} of them on records the push parked");
        return text.ToString();
    }
}
