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
        // 3.0: what client generators (NSwag, Kiota) and linters read without surprises
        o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
        o.AddOperationTransformer((operation, context, _) =>
        {
            // the multipart bodies a handler reads itself: say which fields they carry
            var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
            var form = name switch
            {
                "EnrolPerson" => Form(["name", "files"], ("name", Text("the person's name: exactly the same name (after trimming; case, spacing and accents count) adds photos, any other is a new person")),
                    ("files", Files("face photos, at most 100")),
                    // also accepted as the query parameter ?force=true; not declared twice, as a client generator would get two 'force' arguments
                    ("force", Flag("true: enrol photos whose faces do not agree with the others or with the person (otherwise refused with 422); ?force=true works too"))),
                "Search" => Form(["photo"], ("photo", File("a photo with the face to look for")), ("face", Text("which face of the photo, 0 = largest")),
                    ("top_k", Text("most tracks returned (1-1000, 50)")), ("camera", Text("only this camera (repeatable)")), ("from", Text("ISO 8601 start")),
                    ("to", Text("ISO 8601 end")),
                    ("min_similarity", Text("lowest similarity returned, 0 to 1 (default: the gallery's match threshold; hits below it are marked weak)"))),
                _ => null,
            };
            if (form is not null && operation.RequestBody?.Content is { } content && content.TryGetValue("multipart/form-data", out var media))
                media.Schema = form;
            // answers that are not JSON: a JPEG, or a Server-Sent Events stream
            var (type, schema) = name switch
            {
                "GetCameraPreviewJpeg" or "GetBlob" => ("image/jpeg", new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }),
                "AlertStream" or "EventStream" => ("text/event-stream", Text("events: 'id', 'event' and 'data' (one JSON object) lines")),
                _ => (null, null),
            };
            if (type is not null && operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
                response.Content = new Dictionary<string, OpenApiMediaType> { [type] = new() { Schema = schema } };
            return Task.CompletedTask;
        });
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
            // the server the document was fetched from, without a trailing slash (a generated client appends paths)
            foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
            return Task.CompletedTask;
        });
    });

    private static OpenApiSchema Form(string[] required, params (string Name, IOpenApiSchema Schema)[] fields) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = fields.ToDictionary(f => f.Name, f => f.Schema),
        Required = new HashSet<string>(required),
    };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    /// <summary>An optional true/false field (nullable, so a generated client may leave it out).</summary>
    private static OpenApiSchema Flag(string description) => new() { Type = JsonSchemaType.Boolean | JsonSchemaType.Null, Description = description };

    private static OpenApiSchema File(string description) => new() { Type = JsonSchemaType.String, Format = "binary", Description = description };

    private static OpenApiSchema Files(string description) => new() { Type = JsonSchemaType.Array, Items = File(description), Description = description };
}
