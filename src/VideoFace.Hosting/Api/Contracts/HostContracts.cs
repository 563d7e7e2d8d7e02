namespace VideoFace.Hosting.Api.Contracts;

/// <summary>GET /health: the process serves; which silo, devices and profile it is.</summary>
public sealed record HealthResponse(string Status, string? Silo, IReadOnlyList<string>? Devices, string? Profile);

/// <summary>GET /api/me: the role of the key that made the request (the dashboard hides what the role cannot do).</summary>
public sealed record MeResponse(string Role, string? KeyId);

/// <summary>Body of POST /api/keys.</summary>
public sealed record KeyRequest(string? Role, string? Name);

/// <summary>An API key's public facts (never the key or its hash).</summary>
public sealed record KeyResponse(string Id, string Role, string? Name, DateTimeOffset? CreatedAt, string Source);

/// <summary>Answer of POST /api/keys: the new key, shown this once, and its facts.</summary>
public sealed record CreatedKeyResponse(string Id, string Role, string? Name, DateTimeOffset CreatedAt, string Key);
