using VideoFace.Vision.Facebank;

namespace VideoFace.Grains.Gallery;

/// <summary>Gallery defaults (configuration section "Gallery"): the naming rule's thresholds.</summary>
public sealed class GalleryOptions : NamingOptions
{
    public const string SectionName = "Gallery";

    /// <summary>
    /// Cosine below which an enrolment photo is refused as someone else's: the edge threshold of clustering the batch (a photo
    /// must link at this similarity to its group), and the least similarity to the person's enrolled embedding when adding.
    /// For the default pack: the impostor tail of the dev pairs ends here (p99 0.248, max 0.365) while genuine pairs sit far
    /// above (median 0.662, p5 0.429). Photos of one person for enrolment vary more than video frames (years, lighting,
    /// pose), so this refuses only clear outliers; on 60 dev identities it caught every intruder and mixed batch and refused
    /// 1 genuine batch of 60. Set it near the impostor tail of another recogniser (`eval pairs`); -1 turns the check off.
    /// </summary>
    public float EnrolmentOutlierThreshold { get; set; } = 0.25f;

    /// <summary>
    /// How often each silo's gallery replica asks the gallery for changed persons (one small call per silo, not per
    /// track): an enrolment, merge, rename or erase reaches every silo's naming within about this time. A replica that
    /// has not seen a change yet is never wrong for long: what it cannot name goes to the gallery, and a track named
    /// for an erased person is undone by the track publisher's tombstone check.
    /// </summary>
    public TimeSpan ReplicaRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public IReadOnlyList<string> Validate()
    {
        var e = new List<string>(Validate(SectionName));
        if (!(EnrolmentOutlierThreshold is >= -1 and <= 1)) e.Add($"{SectionName}:EnrolmentOutlierThreshold must be between -1 and 1 (was {EnrolmentOutlierThreshold})");
        if (ReplicaRefreshInterval < TimeSpan.FromMilliseconds(10) || ReplicaRefreshInterval > TimeSpan.FromMinutes(1))
            e.Add($"{SectionName}:ReplicaRefreshInterval must be between 00:00:00.010 and 00:01:00 (was {ReplicaRefreshInterval})");
        return e;
    }
}
