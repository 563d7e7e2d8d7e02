using VideoFace.Abstractions;

namespace VideoFace.Hosting.Api.Contracts;

/// <summary>A person or unknown identity: counts and where and when seen.</summary>
public sealed record PersonResponse(string Id, string? Name, int Sightings, IReadOnlyList<string> Cameras, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, bool Visible)
{
    public static PersonResponse From(IdentitySummary s) => new(s.Id, s.Name, s.Sightings, s.Cameras, s.FirstSeen, s.LastSeen, s.Visible);
}

/// <summary>A person with their newest sightings.</summary>
public sealed record PersonDetailResponse(PersonResponse Person, IReadOnlyList<HistoryEntryResponse> History);

/// <summary>
/// One track in which the identity was seen. <c>end</c> is null while the track is open; <c>end_reason</c> says why it
/// ended: left (out of view), interrupted (its session died; <c>end</c> is when it was last known seen), stopped (camera
/// disabled or removed) or shutdown (the server stopped).
/// </summary>
public sealed record HistoryEntryResponse(
    string Camera, string TrackId, DateTimeOffset Start, DateTimeOffset? End, float Similarity, string? ThumbnailUrl, string? KeyframeUrl,
    TrackEndReason? EndReason = null);

/// <summary>What happened to one uploaded photo of an enrolment: ok, several_faces_used_largest, no_face or error.</summary>
public sealed record EnrolPhotoResult(string File, string Status, string? Error = null);

/// <summary>
/// A photo of an enrolment whose face does not agree: <c>reason</c> is not_the_person (unlike the person as enrolled),
/// apart_from_batch (unlike the batch's main group) or no_main_group (the batch splits into equal groups of different
/// faces); <c>similarity</c> is the cosine that decided it; <c>detail</c> says it in a sentence.
/// </summary>
public sealed record EnrolOutlier(string File, string Reason, float Similarity, string Detail);

/// <summary>
/// Answer of an enrolment (and of a rename): the person and, for an enrolment, each photo's outcome, and the outliers that
/// were enrolled anyway because the request forced it.
/// </summary>
public sealed record EnrolledResponse(string Id, string Name, int PhotosTotal, IReadOnlyList<EnrolPhotoResult>? Photos = null,
    IReadOnlyList<EnrolOutlier>? Outliers = null);

/// <summary>
/// Answer of DELETE /api/persons/{id}: what the erase deleted, store by store. Sightings the person's tracks still report
/// after the erase are dropped as they arrive, so they are not counted here.
/// </summary>
public sealed record ErasedResponse(
    string Id, int HistoryEntries, long IndexPoints, int Images, int AlertsRemoved, int EventsRemoved, int RulesRemoved)
{
    public static ErasedResponse From(IdentityErasureReport r) =>
        new(r.IdentityId, r.HistoryEntries, r.IndexPoints, r.Images, r.AlertsRemoved, r.EventsRemoved, r.RulesRemoved);
}

/// <summary>Body of POST /api/persons/{id}/name.</summary>
public sealed record NameRequest(string Name);

/// <summary>Body of POST /api/persons/{id}/merge.</summary>
public sealed record MergeRequest(string Into);

/// <summary>Answer of a merge: the merged id and the identity it went into.</summary>
public sealed record MergedResponse(
    string Merged, string Id, string? Name, int Sightings, IReadOnlyList<string> Cameras, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen, bool Visible);
