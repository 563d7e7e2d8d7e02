using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using VideoFace.Abstractions;

namespace VideoFace.Grains.Placement;

/// <summary>
/// Places a grain only on silos that advertise inference devices in their metadata (<see cref="Names.DevicesMetadataKey"/>).
/// For grains keyed "{silo}/{device}", only the named silo qualifies. Orleans' built-in metadata filters compare with
/// the calling silo's metadata, which does not express "has a GPU", hence this filter.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class InferenceDevicePlacementFilterAttribute() : PlacementFilterAttribute(new InferenceDevicePlacementFilterStrategy());

/// <summary>The strategy object Orleans stores in the grain's properties for <see cref="InferenceDevicePlacementFilterAttribute"/>.</summary>
public sealed class InferenceDevicePlacementFilterStrategy() : PlacementFilterStrategy(order: 0);

/// <summary>Filters candidate silos by their advertised devices (and name, for device-pinned keys).</summary>
public sealed class InferenceDevicePlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var (siloName, device) = DeviceKey.Parse(target.GrainIdentity.Key.ToString() ?? "");
        foreach (var silo in silos)
        {
            var md = metadata.GetSiloMetadata(silo).Metadata;
            if (!md.TryGetValue(Names.DevicesMetadataKey, out var devices) || string.IsNullOrWhiteSpace(devices)) continue;
            if (device is not null && !DeviceKey.ListDevices(devices).Contains(device, StringComparer.Ordinal)) continue;
            if (siloName is not null && (!md.TryGetValue(Names.SiloNameMetadataKey, out var name) || name != siloName)) continue;
            yield return silo;
        }
    }
}

/// <summary>Keys of device-pinned grains: "{silo}/{device}" ("any" for any silo); other keys carry no device.</summary>
public static class DeviceKey
{
    public const string AnySilo = "any";
    public const string AnyDevice = "any";

    /// <summary>Key of an inference grain on any silo with any device.</summary>
    public static string Anywhere => $"{AnySilo}/{AnyDevice}";

    public static string Format(string? silo, string device) => $"{silo ?? AnySilo}/{device}";

    /// <summary>(silo name or null for any, device or null) from a grain key.</summary>
    public static (string? Silo, string? Device) Parse(string key)
    {
        int slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1) return (null, null);
        var silo = key[..slash];
        var device = key[(slash + 1)..];
        return (silo == AnySilo ? null : silo, device == AnyDevice ? null : device);
    }

    /// <summary>Devices in a metadata value such as "gpu:0,gpu:1" or "cpu".</summary>
    public static IReadOnlyList<string> ListDevices(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
