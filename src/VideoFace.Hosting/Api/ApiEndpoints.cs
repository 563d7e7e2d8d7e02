using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VideoFace.Hosting.Api.Contracts;

namespace VideoFace.Hosting.Api;

/// <summary>
/// The HTTP API, one file per resource: <see cref="CameraApi"/>, <see cref="PersonApi"/>, <see cref="SearchApi"/>,
/// <see cref="AlertApi"/>, <see cref="EventApi"/>, <see cref="BlobApi"/>, <see cref="KeyApi"/>; answers are the records
/// of <c>Api/Contracts</c>, errors the problem bodies of <see cref="ApiProblemHandler"/>. This file wires them.
/// </summary>
public static class ApiEndpoints
{
    /// <summary>The API's JSON: snake_case names, enums as snake_case strings.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // numbers are numbers: "fps": "2" is refused, and the OpenAPI schemas say number, not number-or-string
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static IServiceCollection AddVideoFaceApi(this IServiceCollection services)
    {
        services.AddSingleton<EventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<EventHub>());
        services.AddVideoFaceAlertApi();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            o.SerializerOptions.NumberHandling = Json.NumberHandling;
            foreach (var c in Json.Converters) o.SerializerOptions.Converters.Add(c);
        });
        services.AddVideoFaceOpenApi();
        services.AddVideoFaceProblems();
        return services;
    }

    public static IEndpointRouteBuilder MapVideoFaceApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/health", Health).WithName("Health").WithSummary("Process health").WithTags("Health");
        var api = app.MapGroup("/api").Problems(401, 500);
        api.MapCameraApi();
        api.MapPersonApi();
        api.MapSearchApi();
        api.MapAlertApi();
        api.MapEventApi();
        api.MapBlobApi();
        api.MapKeyApi();
        return app;
    }

    /// <summary>The process serves: silo name, inference devices and hosting profile.</summary>
    public static Ok<HealthResponse> Health(IServiceProvider sp)
    {
        var host = sp.GetService<IOptions<VideoFaceHostOptions>>()?.Value;
        return TypedResults.Ok(new HealthResponse("ok", host?.EffectiveSiloName, host?.DeviceList, host?.Profile.ToString()));
    }

    /// <summary>Declares problem-details answers with these statuses (for the OpenAPI document and its clients).</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
        return builder;
    }

    /// <summary>A JSON-body endpoint: bodies over <see cref="ApiLimits.MaxJsonBytes"/> are refused with 413.</summary>
    public static TBuilder JsonBody<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestSizeLimitAttribute(ApiLimits.MaxJsonBytes));
}
