namespace VideoFace.Abstractions;

/// <summary>Names shared by silos, clients and the API: storage and stream providers, stream namespaces, silo metadata keys.</summary>
public static class Names
{
    /// <summary>Grain-state storage of every VideoFace grain.</summary>
    public const string Storage = "videoface";

    /// <summary>Stream provider carrying identity events.</summary>
    public const string StreamProvider = "videoface-streams";

    /// <summary>Stream namespace of identity events (one stream, key <see cref="AllEventsKey"/>).</summary>
    public const string IdentityEventsNamespace = "identity-events";

    /// <summary>
    /// Stream namespace of identity events as the durable event log numbered them (one stream, key
    /// <see cref="AllEventsKey"/>): what the API's live feeds follow.
    /// </summary>
    public const string LoggedEventsNamespace = "identity-events-logged";

    /// <summary>Key of the single all-identities event stream (and of the event log grain).</summary>
    public const string AllEventsKey = "all";

    /// <summary>Silo metadata key listing the inference devices a silo offers, e.g. "gpu:0,gpu:1" or "cpu".</summary>
    public const string DevicesMetadataKey = "videoface.devices";

    /// <summary>Silo metadata key with the silo's stable name (used to pin per-device inference grains).</summary>
    public const string SiloNameMetadataKey = "videoface.silo";

    /// <summary>Key of the gallery grain of the default gallery.</summary>
    public const string DefaultGallery = "default";
}
