using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api;

/// <summary>
/// POST /api/persons/{id}/name: rename an enrolled person, or promote an unknown identity to a named person.
/// POST /api/persons/{id}/merge: merge an identity into another (history, sightings and embedding move; the id goes).
/// </summary>
public static class PersonAdminEndpoints
{
    /// <summary>Body of POST /api/persons/{id}/name.</summary>
    public sealed record NameRequest(string Name);

    /// <summary>Body of POST /api/persons/{id}/merge.</summary>
    public sealed record MergeRequest(string Into);

    public static RouteGroupBuilder MapPersonAdmin(this RouteGroupBuilder api)
    {
        api.MapPost("/persons/{id}/name", async (string id, NameRequest body, IGrainFactory grains) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name)) return Results.BadRequest(new { error = "name is required" });
            try
            {
                var person = await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).RenameAsync(id, body.Name);
                return person is null
                    ? Results.NotFound(new { error = $"no person or identity '{id}'" })
                    : Results.Ok(new { id = person.IdentityId, name = person.Name, photos_total = person.Photos });
            }
            catch (InvalidOperationException ex)
            {
                return Results.Conflict(new { error = ex.Message });
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });
        api.MapPost("/persons/{id}/merge", async (string id, MergeRequest body, IGrainFactory grains) =>
        {
            if (string.IsNullOrWhiteSpace(body.Into)) return Results.BadRequest(new { error = "'into' (the identity to merge into) is required" });
            try
            {
                var target = await grains.GetGrain<IGalleryGrain>(Names.DefaultGallery).MergeAsync(id, body.Into.Trim());
                return target is null
                    ? Results.NotFound(new { error = $"'{id}' or '{body.Into}' is not a person or identity of the gallery" })
                    : Results.Ok(new
                    {
                        merged = id, id = target.Id, name = target.Name, sightings = target.Sightings, cameras = target.Cameras,
                        first_seen = target.FirstSeen, last_seen = target.LastSeen, visible = target.Visible,
                    });
            }
            catch (InvalidOperationException ex)
            {
                return Results.Conflict(new { error = ex.Message });
            }
            catch (ArgumentException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });
        return api;
    }
}
