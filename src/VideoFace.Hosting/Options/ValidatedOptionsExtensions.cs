using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace VideoFace.Hosting;

/// <summary>The one way a VideoFace host registers an options section: bound, validated at start, a failure naming the key.</summary>
public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <paramref name="section"/> to <typeparamref name="T"/> for <c>IOptions&lt;T&gt;</c> with an
    /// <see cref="IValidateOptions{TOptions}"/> built from <paramref name="validate"/> and <c>ValidateOnStart</c>, and
    /// returns the value bound and validated now, for wiring that needs it before the host is built (Orleans' profile,
    /// ports). <paramref name="fill"/> sets defaults derived from other settings (e.g. a folder under the data folder)
    /// before validation, on both. A bad value throws <see cref="OptionsValidationException"/> whose messages name the key.
    /// </summary>
    public static T AddValidatedOptions<T>(
        this IHostApplicationBuilder builder, string section, Func<T, IReadOnlyList<string>> validate, Action<T>? fill = null)
        where T : class, new()
    {
        var now = Bind(builder.Configuration, section, fill);
        var errors = Errors(section, validate, now);
        if (errors.Count > 0) throw new OptionsValidationException(section, typeof(T), errors);

        var options = builder.Services.AddOptions<T>().BindConfiguration(section);
        if (fill is not null) options.PostConfigure(fill);
        options.ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section, validate));
        return now;
    }

    /// <summary>A section's own validation messages, each naming its key (prefixed with the section where it does not).</summary>
    private static List<string> Errors<T>(string section, Func<T, IReadOnlyList<string>> validate, T value) =>
        validate(value).Select(e => e.StartsWith(section, StringComparison.Ordinal) ? e : $"{section}: {e}").ToList();

    private static T Bind<T>(IConfiguration config, string section, Action<T>? fill) where T : new()
    {
        var value = new T();
        try
        {
            config.GetSection(section).Bind(value);
        }
        catch (InvalidOperationException ex)
        {
            // the binder's message names the key and the value it could not convert
            throw new OptionsValidationException(section, typeof(T), [$"{section}: {ex.Message}"]);
        }
        fill?.Invoke(value);
        return value;
    }

    /// <summary>Runs a section's own validation for the default (unnamed) options instance.</summary>
    private sealed class SectionValidator<T>(string section, Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            if (!string.IsNullOrEmpty(name) && name != Microsoft.Extensions.Options.Options.DefaultName) return ValidateOptionsResult.Skip;
            var errors = Errors(section, validate, options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
