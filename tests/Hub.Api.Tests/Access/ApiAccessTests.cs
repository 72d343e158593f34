extern alias api;

using System.Net;
using System.Security.Cryptography;
using api::Hub.Api.Access;

namespace Hub.Api.Tests.Access;

public sealed class ApiAccessTests(ApiHost api) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task Every_endpoint_but_health_and_the_API_reference_refuses_an_anonymous_caller_with_401_problem_details()
    {
        var endpoints = ApiEndpoint.All(api.Factory.Services).Where(e => !e.IsAnonymousByDesign).ToList();
        Assert.Contains(endpoints, e => e.Path == "/api/status");
        Assert.Contains(endpoints, e => e.NeedsOperate);
        using var client = api.Client();

        foreach (var endpoint in endpoints)
        {
            using var response = await client.SendAsync(endpoint.Request());

            await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, endpoint.ToString());
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task Health_probes_and_the_API_reference_answer_an_anonymous_caller()
    {
        var anonymous = ApiEndpoint.All(api.Factory.Services).Where(e => e.IsAnonymousByDesign).ToList();
        Assert.Contains(anonymous, e => e.Path == "/health/live");
        using var client = api.Client();

        foreach (var endpoint in anonymous)
        {
            using var response = await client.SendAsync(endpoint.Request());
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{endpoint}: {(int)response.StatusCode}");
        }

        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_read_token_reads_and_is_refused_every_operate_endpoint_with_403_problem_details()
    {
        var endpoints = ApiEndpoint.All(api.Factory.Services).Where(e => !e.IsAnonymousByDesign).ToList();
        using var client = api.Client(api.ReadToken);

        using var status = await client.GetAsync(new Uri("/api/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        foreach (var endpoint in endpoints.Where(e => !e.NeedsOperate))
        {
            using var response = await client.SendAsync(endpoint.Request());
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{endpoint}: {(int)response.StatusCode}");
        }

        foreach (var endpoint in endpoints.Where(e => e.NeedsOperate))
        {
            using var response = await client.SendAsync(endpoint.Request());
            var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden, endpoint.ToString());
            Assert.Contains(ApiRoles.Operate, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_operate_token_may_read_and_operate()
    {
        using var client = api.Client(api.OperateToken);

        foreach (var endpoint in ApiEndpoint.All(api.Factory.Services).Where(e => !e.IsAnonymousByDesign))
        {
            using var response = await client.SendAsync(endpoint.Request());
            Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{endpoint}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task An_unknown_operator_token_is_refused_as_an_invalid_token()
    {
        using var client = api.Client(Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));

        using var response = await client.GetAsync(new Uri("/api/status", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer" && h.Parameter!.Contains("invalid_token", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ApiRoles.Operate, HttpStatusCode.NotFound)] // past authorization: the handler looked for the queue
    [InlineData(ApiRoles.Read, HttpStatusCode.Forbidden)]
    public async Task A_JWT_with_a_hub_role_reads_and_only_the_operate_role_may_operate(string role, HttpStatusCode replayStatus)
    {
        using var client = api.Client(api.Jwt([role]));

        using var status = await client.GetAsync(new Uri("/api/status", UriKind.Relative));
        using var replay = await client.PostAsync(new Uri("/api/queues/hub-nothing-here/errors/replay", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        await Problems.AssertProblemAsync(replay, replayStatus, role);
    }

    [Fact]
    public async Task A_JWT_without_a_hub_role_is_forbidden_even_to_read()
    {
        using var client = api.Client(api.Jwt(["billing"]));

        using var response = await client.GetAsync(new Uri("/api/status", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    public static TheoryData<string> WrongTokens => new() { "expired", "signed with another key", "for another audience", "from another issuer" };

    [Theory]
    [MemberData(nameof(WrongTokens))]
    public async Task A_JWT_that_is_expired_or_not_meant_for_this_API_is_refused_with_401(string wrong)
    {
        string[] roles = [ApiRoles.Operate];
        var token = wrong switch
        {
            "expired" => api.Jwt(roles, expiresIn: TimeSpan.FromMinutes(-5)),
            "signed with another key" => api.Jwt(roles, key: RandomNumberGenerator.GetBytes(32)),
            "for another audience" => api.Jwt(roles, audience: "some-other-api"),
            "from another issuer" => api.Jwt(roles, issuer: "https://elsewhere.test/"),
            _ => throw new ArgumentOutOfRangeException(nameof(wrong)),
        };
        using var client = api.Client(token);

        using var response = await client.GetAsync(new Uri("/api/status", UriKind.Relative));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized, wrong);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }
}
