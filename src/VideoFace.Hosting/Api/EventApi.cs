using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using VideoFace.Hosting.Api.Contracts;

namespace VideoFace.Hosting.Api;

/// <summary>/api/events: identity events (appeared, moved camera, left), recent ones and live over Server-Sent Events.</summary>
public static class EventApi
{
    public static RouteGroupBuilder MapEventApi(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events");
        events.MapGet("/recent", Recent).WithName("RecentEvents").WithSummary("Recent identity events");
        events.MapGet("/", StreamAsync).WithName("EventStream").WithSummary("Live identity events (Server-Sent Events)").Produces(200, contentType: "text/event-stream");
        return api;
    }

    /// <summary>The newest <c>count</c> events this host kept (100 by default), oldest first.</summary>
    public static Ok<EventResponse[]> Recent(EventHub hub, BlobUrls urls, int? count) =>
        TypedResults.Ok(hub.Recent(Math.Clamp(count ?? 100, 1, EventHub.Capacity)).Select(e => EventResponse.From(e, urls)).ToArray());

    /// <summary>Server-Sent Events; a reconnecting client sends Last-Event-ID (or ?after=) and gets what it missed from the kept log.</summary>
    public static Task StreamAsync(HttpContext http, EventHub hub, BlobUrls urls, CancellationToken ct)
    {
        long after = SseWriter.ResumePoint(http.Request) ?? hub.Recent(1).LastOrDefault()?.Sequence ?? 0;
        return SseWriter.WriteAsync(http.Response, hub.SubscribeAsync(after, ct),
            e => (e.Sequence, e.Event.Kind.ToString().ToLowerInvariant(), JsonSerializer.Serialize(EventResponse.From(e, urls), ApiEndpoints.Json)), ct);
    }
}
