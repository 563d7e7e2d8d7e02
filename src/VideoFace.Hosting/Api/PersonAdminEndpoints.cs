using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api;

/// <summary>POST /api/persons/{id}/name: rename an enrolled person, or promote an unknown identity to a named person.</summary>
public static class PersonAdminEndpoints
{
    /// <summary>Body of POST /api/persons/{id}/name.</summary>
    public sealed record NameRequest(string Name);

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
        return api;
    }
}
