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
        events.MapGet("/recent", RecentAsync).WithName("RecentEvents").WithSummary("Recent identity events");
        events.MapGet("/", StreamAsync).WithName("EventStream").WithSummary("Live identity events (Server-Sent Events)").Produces(200, contentType: "text/event-stream");
        return api;
    }

    /// <summary>The newest <c>count</c> events of the durable log (100 by default), oldest first.</summary>
    public static async Task<Ok<EventResponse[]>> RecentAsync(EventHub hub, BlobUrls urls, int? count) =>
        TypedResults.Ok((await hub.RecentAsync(Math.Clamp(count ?? 100, 1, EventHub.Capacity))).Select(e => EventResponse.From(e, urls)).ToArray());

    /// <summary>
    /// Server-Sent Events, "id: &lt;sequence&gt;" of the durable log; a reconnecting client sends Last-Event-ID (or
    /// ?after=) and gets what it missed, also across restarts of the server.
    /// </summary>
    public static async Task StreamAsync(HttpContext http, EventHub hub, BlobUrls urls, CancellationToken ct)
    {
        long after = SseWriter.ResumePoint(http.Request) ?? await hub.LatestSequenceAsync();
        await SseWriter.WriteAsync(http.Response, hub.SubscribeAsync(after, ct),
            e => (e.Sequence, e.Event.Kind.ToString().ToLowerInvariant(), JsonSerializer.Serialize(EventResponse.From(e, urls), ApiEndpoints.Json)), ct);
    }
}
