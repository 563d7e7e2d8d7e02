namespace VideoFace.Hosting.Api.Contracts;

/// <summary>An identity event (appeared, moved camera, left) with its place in the durable event log (<c>seq</c>, also the SSE id).</summary>
public sealed record EventResponse(
    long Seq, string Id, string Kind, string IdentityId, string? IdentityName, string Camera, string? PreviousCamera, string TrackId,
    DateTimeOffset Time, float Similarity, string? ThumbnailUrl)
{
    public static EventResponse From(VideoFace.Abstractions.LoggedIdentityEvent s, BlobUrls urls) => new(
        s.Sequence, s.Event.EventId, s.Event.Kind.ToString(), s.Event.IdentityId, s.Event.Name, s.Event.CameraId, s.Event.PreviousCameraId,
        s.Event.TrackId, s.Event.Time, s.Event.Similarity, urls.For(s.Event.ThumbnailKey));
}
