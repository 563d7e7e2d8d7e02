namespace VideoFace.Hosting.Api;

/// <summary>
/// A request the API refuses, with the status and the message the client sees. Handlers throw it; <see cref="ApiProblemHandler"/>
/// turns it into an RFC 9457 problem body in one place. <paramref name="extensions"/> become extra members of that body.
/// </summary>
public class ApiProblemException(int status, string detail, IReadOnlyDictionary<string, object?>? extensions = null) : Exception(detail)
{
    public int Status { get; } = status;

    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}

/// <summary>400: the request itself is wrong (a missing field, a value out of range, a photo that is not an image).</summary>
public sealed class BadInputException(string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    : ApiProblemException(400, detail, extensions);

/// <summary>404: the camera, person, rule or blob named in the path does not exist.</summary>
public sealed class NotFoundException(string detail) : ApiProblemException(404, detail);

/// <summary>409: the request contradicts what is stored (e.g. renaming onto a name another person has).</summary>
public sealed class ConflictException(string detail) : ApiProblemException(409, detail);

/// <summary>422: the request is well formed but its content is refused (e.g. enrolment photos of more than one person).</summary>
public sealed class UnprocessableException(string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    : ApiProblemException(422, detail, extensions);

/// <summary>413: the body, a photo or a list is larger than this API accepts.</summary>
public sealed class TooLargeException(string detail) : ApiProblemException(413, detail);
