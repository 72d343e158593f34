using Hub.Projections.Propstreet;
using Microsoft.Extensions.Configuration;

namespace Hub.Projections.Tests.Propstreet;

public sealed class PropstreetWriteBackSetupTests
{
    [Fact]
    public void A_connection_that_cannot_work_stops_the_start_naming_each_problem_and_never_a_token()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Propstreet:Connections:good:BaseUrl"] = "https://app.propstreet.com/",
            ["Propstreet:Connections:good:Token"] = "secret-good-token",
            ["Propstreet:Connections:bad:BaseUrl"] = "/relative",
            ["Propstreet:Connections:bad:Token"] = "secret-bad-token",
            ["Propstreet:Connections:bad:RequestsPerMinute"] = "0",
            ["Propstreet:Connections:none:BaseUrl"] = "https://app.propstreet.com/",
        }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => PropstreetWriteBackSetup.Read(configuration));

        Assert.Contains("Propstreet:Connections:bad: BaseUrl must be an absolute http(s) URL", error.Message, StringComparison.Ordinal);
        Assert.Contains("Propstreet:Connections:bad: RequestsPerMinute and BudgetWindow must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Propstreet:Connections:none: Token (the Propstreet API token) is required", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Propstreet:Connections:good", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-", error.Message, StringComparison.Ordinal);
    }
}
