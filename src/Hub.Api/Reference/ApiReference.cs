using Hub.Api.Access;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Hub.Api.Reference;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) and its browsable reference (<c>/scalar</c>), both anonymous
/// (ADR 0019): they describe endpoints and how to authenticate, never a credential, and the reference must load the
/// document before a caller has entered a token. <c>Api:OpenApiEnabled=false</c> turns both off.
/// </summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/scalar";

    public static WebApplicationBuilder AddApiReference(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer<SecuritySchemes>();
            options.AddOperationTransformer(DocumentRefusals);
        });
        return builder;
    }

    public static WebApplication MapApiReference(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<ApiAccessOptions>().OpenApiEnabled)
            return app;
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, options => options.WithTitle("Integration Hub API")).AllowAnonymous();
        return app;
    }

    // Every operation in the document needs a caller (only probes and the reference are anonymous, and they are not in it).
    private static Task DocumentRefusals(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No bearer token, or one that is unknown, expired or not meant for this API (problem details)" });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The caller's role does not allow this (problem details)" });
        return Task.CompletedTask;
    }

    /// <summary>Both ways in, as HTTP bearer schemes; every operation accepts either.</summary>
    private sealed class SecuritySchemes(ApiAccessOptions access) : IOpenApiDocumentTransformer
    {
        public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
        {
            var jwt = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT from the identity provider"
                    + (access.Jwt?.Authority is { Length: > 0 } authority ? $" ({authority})" : "")
                    + $", with roles in the '{access.Jwt?.RoleClaim ?? new JwtOptions().RoleClaim}' claim: "
                    + $"'{ApiRoles.Read}' or '{ApiRoles.Operate}'.",
            };
            var token = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A static operator token from Api:Tokens (local runs); its Role is "
                    + $"'{ApiRoles.Read}' or '{ApiRoles.Operate}'.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [JwtBearerDefaults.AuthenticationScheme] = jwt,
                [OperatorTokenHandler.SchemeName] = token,
            };
            // Alternatives: one requirement object per scheme.
            document.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(JwtBearerDefaults.AuthenticationScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OperatorTokenHandler.SchemeName, document)] = [] },
            ];
            return Task.CompletedTask;
        }
    }
}
