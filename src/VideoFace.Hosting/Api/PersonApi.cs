using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using VideoFace.Abstractions;
using VideoFace.Grains.Placement;
using VideoFace.Hosting.Api.Contracts;

namespace VideoFace.Hosting.Api;

/// <summary>
/// /api/persons: enrolment by photo upload, the people and unknown identities with their history, erase, rename (or
/// promote an unknown identity to a named person) and merge.
/// </summary>
public static class PersonApi
{
    public static RouteGroupBuilder MapPersonApi(this RouteGroupBuilder api)
    {
        var persons = api.MapGroup("/persons").WithTags("Persons");
        persons.MapPost("/", EnrolAsync).WithName("EnrolPerson").WithSummary("Enrol a person from photos").RequireAdmin().Problems(400, 403, 409, 413, 422)
            .Accepts<IFormFileCollection>("multipart/form-data")
            .DisableAntiforgery().WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(ApiLimits.MaxUploadBytes));
        persons.MapGet("/", ListAsync).WithName("ListPersons").WithSummary("List people and unknown identities");
        persons.MapGet("/{id}", GetAsync).WithName("GetPerson").WithSummary("Get a person and their sightings").Problems(400, 404);
        persons.MapDelete("/{id}", DeleteAsync).WithName("DeletePerson").WithSummary("Erase a person everywhere").RequireAdmin().Problems(400, 403, 404);
        persons.MapPost("/{id}/name", RenameAsync).WithName("RenamePerson").WithSummary("Rename or promote an identity").RequireAdmin().Problems(400, 403, 404, 409, 413).JsonBody();
        persons.MapPost("/{id}/merge", MergeAsync).WithName("MergePerson").WithSummary("Merge an identity into another").RequireAdmin().Problems(400, 403, 404, 409, 413).JsonBody();
        return api;
    }

    /// <summary>
    /// Multipart form: field <c>name</c> and one or more image files. Exactly the same name (after trimming) adds
    /// photos to its person; another name is another person, with an id of its own. A photo without a usable face does not
    /// stop the others; when none is usable it is a 400 whose body lists each photo's outcome (<c>photos</c>). Photos whose
    /// faces do not agree with the others, or with the person already enrolled, refuse the batch with a 422 naming them
    /// (<c>outliers</c>), unless <c>force</c> (form field or query) is true.
    /// </summary>
    public static async Task<Ok<EnrolledResponse>> EnrolAsync(HttpRequest request, IGrainFactory grains, CancellationToken ct)
    {
        if (!request.HasFormContentType) throw new BadInputException("send multipart/form-data with a 'name' field and image files");
        var form = await request.ReadFormAsync(ct);
        var name = ApiLimits.Text(form["name"].ToString(), "name") ?? "";
        if (name.Length == 0) throw new BadInputException("the 'name' field is required");
        bool force = Flag(form["force"].ToString(), "force") || Flag(request.Query["force"].ToString(), "force");
        if (form.Files.Count == 0) throw new BadInputException("no image files uploaded");
        if (form.Files.Count > ApiLimits.MaxPhotosPerRequest)
            throw new TooLargeException($"{form.Files.Count} files in one enrolment; at most {ApiLimits.MaxPhotosPerRequest} are accepted (enrol in batches)");
        var inference = grains.GetGrain<IInferenceGrain>(DeviceKey.Anywhere);
        var embeddings = new List<float[]>();
        var embeddedFiles = new List<string>();
        var photos = new List<EnrolPhotoResult>();
        foreach (var file in form.Files)
        {
            var fileName = ApiLimits.Text(Path.GetFileName(file.FileName), "file name", 255) ?? "";
            try
            {
                var faces = await inference.AnalyzeImageAsync(await Uploads.ReadAsync(file, ct));
                if (faces.Count == 0)
                {
                    photos.Add(new EnrolPhotoResult(fileName, "no_face"));
                    continue;
                }
                embeddings.Add(faces[0].Embedding);
                embeddedFiles.Add(fileName);
                photos.Add(new EnrolPhotoResult(fileName, faces.Count > 1 ? "several_faces_used_largest" : "ok"));
            }
            catch (Exception ex) when (ex is Vision.Imaging.InvalidImageException or TooLargeException)
            {
                photos.Add(new EnrolPhotoResult(fileName, "error", ex.Message));
            }
        }
        if (embeddings.Count == 0)
            throw new BadInputException("no usable face in the uploaded photos", new Dictionary<string, object?> { ["photos"] = photos });
        var space = (await inference.GetStatsAsync()).EmbeddingSpace;
        var result = await GalleryCallAsync(() => Gallery(grains).EnrollAsync(name, embeddings, space, force));
        var outliers = result.Outliers.Select(o => Outlier(o, embeddedFiles[o.Photo], name)).ToList();
        if (result.Person is not { } person)
        {
            throw new UnprocessableException(
                FormattableString.Invariant($"{outliers.Count} of {embeddings.Count} photos do not look like the same person as the others ") +
                FormattableString.Invariant($"(photos of one person reach similarity {result.Threshold:0.00} or more): ") +
                string.Join("; ", outliers.Select(o => o.Detail)) + ". Remove them, or send force=true to enrol them anyway",
                new Dictionary<string, object?> { ["outliers"] = outliers, ["threshold"] = result.Threshold, ["photos"] = photos });
        }
        return TypedResults.Ok(new EnrolledResponse(person.IdentityId, person.Name, person.Photos, photos, outliers.Count > 0 ? outliers : null));
    }

    /// <summary>An outlier for the client: the file, why, and a sentence with the similarity that decided it.</summary>
    private static EnrolOutlier Outlier(EnrolmentPhotoOutlier o, string file, string name)
    {
        var sim = o.Similarity.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        return o.Reason switch
        {
            EnrolmentOutlierReason.NotThePerson => new EnrolOutlier(file, "not_the_person", o.Similarity, $"{file} has similarity {sim} to '{name}' as enrolled"),
            EnrolmentOutlierReason.ApartFromBatch => new EnrolOutlier(file, "apart_from_batch", o.Similarity, $"{file} has best similarity {sim} to the other photos"),
            _ => new EnrolOutlier(file, "no_main_group", o.Similarity,
                $"{file} has best similarity {sim} to any other photo (the photos split into equal groups of different faces)"),
        };
    }

    /// <summary>A true/false form or query field (absent is false); anything else is a 400.</summary>
    private static bool Flag(string value, string field) => value.Trim().ToLowerInvariant() switch
    {
        "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw new BadInputException($"{field} must be true or false"),
    };

    /// <summary>People and unknown identities, most recently seen first.</summary>
    public static async Task<Ok<PersonResponse[]>> ListAsync(IGrainFactory grains)
    {
        var ids = await Gallery(grains).ListIdentitiesAsync();
        var summaries = await Task.WhenAll(ids.Select(id => grains.GetGrain<IIdentityGrain>(id).GetSummaryAsync()));
        return TypedResults.Ok(summaries.OrderByDescending(s => s.LastSeen).ThenBy(s => s.Id, StringComparer.Ordinal).Select(PersonResponse.From).ToArray());
    }

    /// <summary>A person and their newest <c>limit</c> sightings (100 by default, 1 to 5000).</summary>
    public static async Task<Ok<PersonDetailResponse>> GetAsync(string id, int? limit, IGrainFactory grains, BlobUrls urls)
    {
        ApiLimits.PathId(id, "person id");
        if (!(await Gallery(grains).ListIdentitiesAsync()).Contains(id)) throw new NotFoundException($"no person or identity '{id}'");
        var identity = grains.GetGrain<IIdentityGrain>(id);
        var summary = await identity.GetSummaryAsync();
        var history = await identity.GetHistoryAsync(Math.Clamp(limit ?? 100, 1, 5000));
        return TypedResults.Ok(new PersonDetailResponse(PersonResponse.From(summary), history
            .Select(h => new HistoryEntryResponse(h.CameraId, h.TrackId, h.Start, h.End, h.Similarity, urls.For(h.ThumbnailKey), urls.For(h.KeyframeKey),
                h.End is null ? null : h.EndReason ?? TrackEndReason.Left))
            .ToList()));
    }

    /// <summary>
    /// Erases a person or unknown identity everywhere and for good (history, index sightings, images, alerts, events,
    /// the rules that watch them), also while a camera still sees them; answers what was deleted. A delete that failed
    /// half-way can be sent again and finishes the erase.
    /// </summary>
    public static async Task<Ok<ErasedResponse>> DeleteAsync(string id, FaceDataEraser eraser)
    {
        ApiLimits.PathId(id, "person id");
        return await eraser.EraseIdentityAsync(id) is { } report
            ? TypedResults.Ok(ErasedResponse.From(report))
            : throw new NotFoundException($"no person or identity '{id}'");
    }

    /// <summary>Renames an enrolled person, or promotes an unknown identity to a named person.</summary>
    public static async Task<Ok<EnrolledResponse>> RenameAsync(string id, NameRequest body, IGrainFactory grains)
    {
        ApiLimits.PathId(id, "person id");
        var name = ApiLimits.Text(body.Name, "name");
        if (string.IsNullOrEmpty(name)) throw new BadInputException("name is required");
        var person = await GalleryCallAsync(() => Gallery(grains).RenameAsync(id, name));
        return person is null ? throw new NotFoundException($"no person or identity '{id}'") : TypedResults.Ok(new EnrolledResponse(person.IdentityId, person.Name, person.Photos));
    }

    /// <summary>Merges identity <c>id</c> into <c>into</c>: history, sightings and embedding move; <c>id</c> goes.</summary>
    public static async Task<Ok<MergedResponse>> MergeAsync(string id, MergeRequest body, IGrainFactory grains)
    {
        ApiLimits.PathId(id, "person id");
        var into = ApiLimits.Text(body.Into, "into", ApiLimits.MaxIdLength);
        if (string.IsNullOrEmpty(into)) throw new BadInputException("'into' (the identity to merge into) is required");
        var t = await GalleryCallAsync(() => Gallery(grains).MergeAsync(id, into))
            ?? throw new NotFoundException($"'{id}' or '{into}' is not a person or identity of the gallery");
        return TypedResults.Ok(new MergedResponse(id, t.Id, t.Name, t.Sightings, t.Cameras, t.FirstSeen, t.LastSeen, t.Visible));
    }

    /// <summary>The gallery's refusals as API answers: a contradiction is 409, a bad argument 400.</summary>
    private static async Task<T> GalleryCallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (InvalidOperationException ex)
        {
            throw new ConflictException(ex.Message);
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException(ex.Message);
        }
    }

    private static IGalleryGrain Gallery(IGrainFactory grains) => grains.GetGrain<IGalleryGrain>(Names.DefaultGallery);
}
