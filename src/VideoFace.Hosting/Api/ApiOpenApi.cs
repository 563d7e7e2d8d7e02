using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace VideoFace.Hosting.Api;

/// <summary>
/// The OpenAPI document (/openapi/v1.json): typed answers and problem-details errors per operation (from the handlers'
/// result types and <see cref="ApiEndpoints.Problems{TBuilder}"/>), tags per resource, and the X-Api-Key scheme declared
/// and applied to every /api operation, so a client generator gets a usable client.
/// </summary>
public static class ApiOpenApi
{
    public const string SchemeName = "ApiKey";

    public static IServiceCollection AddVideoFaceOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "VideoFace API";
            document.Info.Description = "Cameras, enrolment, search, alerts and events of a VideoFace cluster. Errors are RFC 9457 problem details.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.HeaderName,
                Description = "An API key: the embedded server's admin key is in its data folder (file 'api-key'); `videoface keys add` makes viewer keys.",
            };
            foreach (var (path, item) in document.Paths)
            {
                if (!path.StartsWith("/api/", StringComparison.Ordinal) || item.Operations is null) continue;
                foreach (var op in item.Operations.Values)
                {
                    op.Security ??= [];
                    op.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
                }
            }
            document.Tags ??= new HashSet<OpenApiTag>();
            return Task.CompletedTask;
        });
    });
}
