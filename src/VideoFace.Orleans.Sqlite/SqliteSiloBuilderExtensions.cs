using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace VideoFace.Orleans.Sqlite;

/// <summary>Silo wiring for SQLite grain storage and the SQLite reminder table.</summary>
public static class SqliteSiloBuilderExtensions
{
    /// <summary>Adds SQLite grain storage under <paramref name="name"/> (the name grains give in <c>[PersistentState]</c>).</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddSqliteGrainStorage(name, options => options.Configure(configure));
    }

    /// <summary>Adds SQLite grain storage under <paramref name="name"/>, configured through an options builder (e.g. <c>BindConfiguration("Sqlite")</c>).</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteStorageOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds SQLite grain storage as the default provider (grains that name no provider).</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteStorageOptions> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds SQLite grain storage as the default provider, configured through an options builder.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<OptionsBuilder<SqliteStorageOptions>> configure) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds SQLite grain storage under <paramref name="name"/> to a silo's services.</summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<SqliteStorageOptions>> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        var options = services.AddOptions<SqliteStorageOptions>(name);
        configure(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStorageOptions>, SqliteStorageOptionsValidator>());
        // Fills GrainStorageSerializer from the silo's IGrainStorageSerializer unless the caller set one.
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPostConfigureOptions<SqliteStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<SqliteStorageOptions>>());
        services.AddGrainStorage(name, SqliteGrainStorage.Create);
        return services;
    }

    /// <summary>Stores reminders in a SQLite file and enables the reminder service.</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteReminderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseSqliteReminderService(options => options.Configure(configure));
    }

    /// <summary>Stores reminders in a SQLite file and enables the reminder service, configured through an options builder.</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<OptionsBuilder<SqliteReminderOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddReminders();
        var options = builder.Services.AddOptions<SqliteReminderOptions>();
        configure(options);
        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteReminderOptions>, SqliteReminderOptionsValidator>());
        builder.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        return builder;
    }
}
