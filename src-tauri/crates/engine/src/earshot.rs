//! The app context: one value the shell manages, owning the store and the desktop services.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use earshot_core::{
    Account, AccountId, Clock, Draft, DraftBody, DraftError, DraftId, Network,
    NotificationSettings, Sensitive,
};
use earshot_store::{Store, StoreError};
use serde::Serialize;
use specta::Type;
use tokio::sync::broadcast;

use crate::alerts::{Alerts, AlertsHandle};
use crate::bluesky::session::BlueskySession;
use crate::bluesky::sync::BlueskySync;
use crate::mastodon::session::MastodonSession;
use crate::mastodon::signin::PendingSignIns;
use crate::mastodon::stream::{StreamGuard, StreamTask};
use crate::mastodon::sync::MastodonSync;
use crate::scheduler::{Scheduler, SchedulerHandle};
use crate::settings;
use crate::sync::{SyncHandle, TaskContext};
use crate::{EngineEvent, Notice, Notifier, NotifyError, SecretError, SecretStore};

/// Deleted drafts stay restorable this long; older ones are purged when Earshot starts.
const KEEP_DELETED_DRAFTS: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// The name of the throwaway entry [`Earshot::check_keyring`] writes and removes.
const KEYRING_PROBE_KEY: &str = "earshot:keyring-check";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    InvalidDraft(#[from] DraftError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Notify(#[from] NotifyError),
    #[error(transparent)]
    Network(#[from] earshot_net::bluesky::XrpcError),
    #[error(transparent)]
    Mastodon(#[from] earshot_net::mastodon::MastodonError),
    #[error("{}", sign_in_again_words(*network, handle))]
    SignInAgain { network: Network, handle: String },
    #[error("{server} refused the sign-in: {reason}. {advice}")]
    SignInRefused {
        /// The server software by name ("GoToSocial"), else its domain.
        server: String,
        reason: String,
        advice: String,
    },
    #[error("Earshot will not open “{address}”: it is not a web page.")]
    NotAWebPage { address: String },
    #[error("{0}")]
    Invalid(String),
    #[error("An internal task stopped unexpectedly: {0}")]
    TaskFailed(String),
    #[error("{part} stopped after an internal error — restarting.")]
    Crashed { part: &'static str },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The server asked Earshot to slow down.
    pub fn is_rate_limit(&self) -> bool {
        matches!(
            self,
            Self::Network(earshot_net::bluesky::XrpcError::RateLimited { .. })
                | Self::Mastodon(earshot_net::mastodon::MastodonError::RateLimited { .. })
        )
    }
}

/// Why an account must be signed in again, in the words of its network.
fn sign_in_again_words(network: Network, handle: &str) -> String {
    let why = match network {
        Network::Bluesky => "its app password may have been revoked",
        Network::Mastodon => "the app's access may have been revoked on the server",
    };
    format!(
        "{} no longer accepts Earshot's saved sign-in for @{handle} ({why}). Sign in again to \
         keep syncing @{handle}.",
        network.name()
    )
}

/// The parts of the outside world the engine talks to; tests pass fakes.
#[derive(Debug)]
pub struct Services {
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<dyn SecretStore>,
    pub notifier: Arc<dyn Notifier>,
    /// Where sync tasks run.
    pub runtime: tokio::runtime::Handle,
    pub sync: SyncSettings,
}

/// How syncing reaches the networks.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Time between polls of each account.
    pub poll_interval: Duration,
    /// Where `did:plc` identities are looked up.
    pub plc_directory: String,
    /// Deliberate failures, for tests of how Earshot recovers; none in the app.
    pub faults: Faults,
    /// Time between reads of each Bluesky account's direct messages, fixed (tests); `None`
    /// follows the person's chat settings and whether the window is open.
    pub chat_poll_interval: Option<Duration>,
    /// The chat service Bluesky direct messages go to (`did#service`, for `atproto-proxy`).
    pub chat_service: String,
    /// Time between Heard's searches, fixed (tests); `None` is Heard's own cadence.
    pub heard_poll_interval: Option<Duration>,
    /// Time between polls of a Mastodon account whose stream is connected: the stream brings
    /// what happens as it happens and a reconnect backfills at once, so the poll is a safety
    /// net (for what servers do not stream, such as filtered notifications).
    pub poll_while_streaming: Duration,
}

/// Failures a test asks for, to see Earshot recover from what real code cannot be made to do
/// on demand (a panic in a sync round).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    panicking_rounds: Arc<std::sync::atomic::AtomicU32>,
}

impl Faults {
    /// The next `count` sync rounds, of any account, panic.
    pub fn panic_next_rounds(&self, count: u32) {
        self.panicking_rounds
            .store(count, std::sync::atomic::Ordering::SeqCst);
    }

    /// Whether this round is one of them.
    pub(crate) fn take_round_panic(&self) -> bool {
        self.panicking_rounds
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |left| left.checked_sub(1),
            )
            .is_ok()
    }
}

impl Default for SyncSettings {
    /// Every 15 seconds; identities from the public PLC directory, or from
    /// `EARSHOT_PLC_DIRECTORY` when set (tests point it at the reference servers).
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(15),
            plc_directory: std::env::var("EARSHOT_PLC_DIRECTORY")
                .ok()
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| earshot_net::bluesky::DEFAULT_PLC_DIRECTORY.to_owned()),
            faults: Faults::default(),
            chat_poll_interval: None,
            heard_poll_interval: None,
            poll_while_streaming: Duration::from_secs(120),
            chat_service: std::env::var("EARSHOT_CHAT_SERVICE")
                .ok()
                .filter(|service| !service.is_empty())
                .unwrap_or_else(|| earshot_net::bluesky::DEFAULT_CHAT_SERVICE.to_owned()),
        }
    }
}

/// How Earshot talks to one account's network.
#[derive(Debug, Clone)]
pub(crate) enum Connection {
    Bluesky(Arc<BlueskySession>),
    Mastodon(Arc<MastodonSession>),
}

/// An account's running parts: its connection, its sync task and, on streaming Mastodon
/// servers, its stream (each stopped when dropped).
#[derive(Debug)]
pub(crate) struct Running {
    pub connection: Connection,
    pub sync: SyncHandle,
    /// Held only so that dropping `Running` stops the stream.
    pub _stream: Option<StreamGuard>,
    /// Reading the account's history back further, while it does.
    pub history: Option<crate::supervisor::TaskHandle>,
    /// A Bluesky account's direct messages.
    pub _chat: Option<crate::supervisor::TaskHandle>,
    /// Listening for questions heard.
    pub _heard: crate::supervisor::TaskHandle,
}

/// What the keyring check found, for the Settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyringStatus {
    pub available: bool,
    pub message: String,
}

/// What the UI shows about the running Earshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppStatus {
    /// The folder holding Earshot's database, so the person knows what to back up.
    pub data_dir: String,
    /// Notifications are paused until then.
    #[specta(type = Option<String>)]
    pub notifications_paused_until: Option<earshot_core::Timestamp>,
    /// The database was damaged when Earshot started: what happened, in words.
    pub recovered: Option<String>,
}

/// Where Earshot keeps its data: `EARSHOT_DATA_DIR` when set (tests always set it), else the
/// platform's app-data folder the shell passes in.
pub fn data_dir(platform_default: PathBuf) -> PathBuf {
    std::env::var_os("EARSHOT_DATA_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or(platform_default)
}

#[derive(Debug)]
pub struct Earshot {
    /// Held so that dropping the engine stops the daily backups.
    _backups: crate::backups::BackupsHandle,
    pub(crate) data_dir: PathBuf,
    pub(crate) store: Arc<Store>,
    pub(crate) services: Services,
    pub(crate) settings: Arc<Mutex<NotificationSettings>>,
    pub(crate) plan_settings: Arc<Mutex<earshot_core::PlanSettings>>,
    pub(crate) report_settings: Arc<Mutex<crate::report::ReportSettings>>,
    pub(crate) chat_settings: Arc<Mutex<crate::bluesky::chat::ChatSettings>>,
    /// Whether the person has Earshot's window open (the shell says), for how often to read.
    pub(crate) window_open: Arc<std::sync::atomic::AtomicBool>,
    /// Wakes every account's Heard listener when what to listen for changed.
    pub(crate) heard_rewatch: Arc<tokio::sync::Notify>,
    events: broadcast::Sender<EngineEvent>,
    alerts: AlertsHandle,
    running: Arc<Mutex<HashMap<AccountId, Running>>>,
    pub(crate) scheduler: SchedulerHandle,
    pub(crate) pending_sign_ins: PendingSignIns,
}

impl Earshot {
    /// Opens the store in `data_dir`, tidies it (drafts deleted long ago are forgotten) and
    /// starts syncing every account.
    pub fn open(data_dir: &Path, services: Services) -> Result<Self> {
        let store = Store::open(data_dir)?;
        if let Some(recovery) = store.recovery() {
            tracing::error!(words = %recovery.words(), "started from a recovered database");
        }
        let cutoff = services.clock.now() - KEEP_DELETED_DRAFTS;
        let purged = store.purge_drafts_deleted_before(cutoff)?;
        if purged > 0 {
            tracing::info!(purged, "forgot drafts deleted more than a day ago");
        }
        let accounts = store.list_accounts()?;
        let settings = Arc::new(Mutex::new(settings::load(&store, settings::NOTIFICATIONS)));
        let plan_settings = Arc::new(Mutex::new(settings::load(&store, settings::PLANNING)));
        let report_settings = Arc::new(Mutex::new(settings::load(&store, settings::REPORT)));
        let chat_settings = Arc::new(Mutex::new(settings::load(&store, settings::CHAT)));
        let store = Arc::new(store);
        let events = broadcast::channel(256).0;
        let alerts = Alerts {
            store: Arc::clone(&store),
            clock: Arc::clone(&services.clock),
            notifier: Arc::clone(&services.notifier),
            events: events.clone(),
            settings: Arc::clone(&settings),
            report_settings: Arc::clone(&report_settings),
        }
        .spawn(&services.runtime);
        let running = Arc::new(Mutex::new(HashMap::new()));
        let scheduler = Scheduler {
            store: Arc::clone(&store),
            clock: Arc::clone(&services.clock),
            notifier: Arc::clone(&services.notifier),
            events: events.clone(),
            running: Arc::clone(&running),
            settings: Arc::clone(&plan_settings),
        }
        .spawn(&services.runtime);
        let backups = crate::backups::spawn(
            &services.runtime,
            Arc::clone(&store),
            data_dir.to_owned(),
            Arc::clone(&services.clock),
            events.clone(),
        );
        let earshot = Self {
            _backups: backups,
            data_dir: data_dir.to_owned(),
            store,
            services,
            settings,
            plan_settings,
            report_settings,
            chat_settings,
            window_open: Arc::default(),
            heard_rewatch: Arc::default(),
            events,
            alerts,
            running,
            scheduler,
            pending_sign_ins: PendingSignIns::default(),
        };
        for account in accounts {
            earshot.start(account)?;
        }
        earshot.scheduler.wake();
        Ok(earshot)
    }

    /// Events about changes; SQLite holds the data.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    /// The engine's event channel, for a listener that may need to subscribe again (a
    /// supervised bridge that was restarted).
    pub fn event_sender(&self) -> broadcast::Sender<EngineEvent> {
        self.events.clone()
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        let _ = self.events.send(event);
    }

    /// Makes the alerts task look at the queue again now (settings changed).
    pub(crate) fn recheck_alerts(&self) {
        self.alerts.recheck();
    }

    pub(crate) fn running(&self) -> MutexGuard<'_, HashMap<AccountId, Running>> {
        // Holds plain handles; a panic elsewhere cannot leave the map half-updated.
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts (or restarts) an account's connection and sync task.
    pub(crate) fn start(&self, account: Account) -> Result<()> {
        let context = TaskContext {
            account: account.id.clone(),
            store: Arc::clone(&self.store),
            clock: Arc::clone(&self.services.clock),
            events: self.events.clone(),
            poll_interval: self.services.sync.poll_interval,
            runtime: self.services.runtime.clone(),
            faults: self.services.sync.faults.clone(),
            streaming: None,
            poll_while_streaming: self.services.sync.poll_while_streaming,
        };
        let id = account.id.clone();
        let (store, clock) = (Arc::clone(&self.store), Arc::clone(&self.services.clock));
        let secrets = Arc::clone(&self.services.secrets);
        let running = match account.network {
            earshot_core::Network::Bluesky => {
                let session = Arc::new(BlueskySession::new(&account, secrets, Arc::clone(&clock))?);
                let chat = crate::bluesky::chat::ChatTask {
                    account: account.clone(),
                    session: Arc::clone(&session),
                    store: Arc::clone(&store),
                    clock: Arc::clone(&clock),
                    events: self.events.clone(),
                    proxy: self.services.sync.chat_service.clone(),
                    cadence: crate::bluesky::chat::ChatCadence {
                        settings: Arc::clone(&self.chat_settings),
                        window_open: Arc::clone(&self.window_open),
                        fixed: self.services.sync.chat_poll_interval,
                    },
                    members: std::sync::Mutex::default(),
                }
                .spawn(&self.services.runtime);
                let heard = self.heard_task(&account, Connection::Bluesky(Arc::clone(&session)));
                let sync = BlueskySync::new(account, Arc::clone(&session), store, clock);
                Running {
                    connection: Connection::Bluesky(session),
                    sync: crate::sync::spawn(sync, context),
                    _stream: None,
                    history: None,
                    _chat: Some(chat),
                    _heard: heard,
                }
            }
            earshot_core::Network::Mastodon => {
                let session = Arc::new(MastodonSession::new(&account, secrets)?);
                let heard = self.heard_task(&account, Connection::Mastodon(Arc::clone(&session)));
                let healthy = Arc::new(std::sync::atomic::AtomicBool::new(false));
                let context = TaskContext {
                    streaming: Some(Arc::clone(&healthy)),
                    ..context
                };
                let sync =
                    MastodonSync::new(account, Arc::clone(&session), Arc::clone(&store), clock);
                let sync = crate::sync::spawn(sync, context);
                let stream = StreamTask {
                    account: id.clone(),
                    session: Arc::clone(&session),
                    store,
                    clock: Arc::clone(&self.services.clock),
                    events: self.events.clone(),
                    sync: sync.requester(),
                    healthy,
                }
                .spawn(&self.services.runtime);
                Running {
                    connection: Connection::Mastodon(session),
                    sync,
                    _stream: Some(stream),
                    history: None,
                    _chat: None,
                    _heard: heard,
                }
            }
        };
        // Replacing an entry drops the old handles, which stops the old tasks.
        self.running().insert(id.clone(), running);
        // A read back that was under way goes on where it stopped.
        self.start_history(&id);
        Ok(())
    }

    fn heard_task(
        &self,
        account: &Account,
        connection: Connection,
    ) -> crate::supervisor::TaskHandle {
        crate::heard::HeardTask {
            account: account.clone(),
            connection,
            store: Arc::clone(&self.store),
            clock: Arc::clone(&self.services.clock),
            events: self.events.clone(),
            poll: self.services.sync.heard_poll_interval,
            rewatch: Arc::clone(&self.heard_rewatch),
        }
        .spawn(&self.services.runtime)
    }

    /// Stops an account's sync task; a no-op when none runs.
    pub(crate) fn stop(&self, account: &AccountId) {
        self.running().remove(account);
    }

    /// Runs a sync round for `account` now.
    pub fn sync_now(&self, account: &AccountId) -> Result<()> {
        match self.running().get(account) {
            Some(running) => {
                running.sync.sync_now();
                Ok(())
            }
            None => Err(Error::Store(StoreError::NotFound("account"))),
        }
    }

    /// Runs a store call on the blocking pool: SQLite must not stall an async worker.
    pub(crate) async fn with_store<T, F>(&self, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        on_store(&self.store, call).await
    }

    pub async fn list_drafts(&self) -> Result<Vec<Draft>> {
        self.with_store(|store| store.list_drafts()).await
    }

    pub async fn create_draft(&self, body: String) -> Result<Draft> {
        let body = DraftBody::parse(body)?;
        let now = self.services.clock.now();
        self.with_store(move |store| store.create_draft(&body, now))
            .await
    }

    pub async fn update_draft(&self, id: DraftId, body: String) -> Result<Draft> {
        let body = DraftBody::parse(body)?;
        let now = self.services.clock.now();
        self.with_store(move |store| store.update_draft(&id, &body, now))
            .await
    }

    pub async fn delete_draft(&self, id: DraftId) -> Result<()> {
        let now = self.services.clock.now();
        self.with_store(move |store| store.delete_draft(&id, now))
            .await
    }

    pub async fn restore_draft(&self, id: DraftId) -> Result<Draft> {
        self.with_store(move |store| store.restore_draft(&id)).await
    }

    /// Shows a notification so the person can see that their desktop lets Earshot through.
    /// Sent even while notifications are paused: the person asked for it.
    pub async fn send_test_notification(&self) -> Result<()> {
        let notifier = Arc::clone(&self.services.notifier);
        let notice = Notice {
            summary: "Earshot can reach you".into(),
            body: "This is how Earshot will tell you that someone asked you a question.".into(),
            actions: Vec::new(),
        };
        blocking(move || notifier.show(&notice, Box::new(drop)).map_err(Error::from))
            .await
            .inspect_err(|e| {
                tracing::warn!(error = %e, "test notification failed");
            })
    }

    /// Writes, reads back and deletes a throwaway secret, so that the person learns now, not
    /// at their first sign-in, whether account tokens can be kept safely.
    pub async fn check_keyring(&self) -> KeyringStatus {
        let secrets = Arc::clone(&self.services.secrets);
        let probe = Sensitive::new(format!("probe-{}", self.services.clock.now()));
        let outcome = blocking(move || {
            secrets.save(KEYRING_PROBE_KEY, &probe)?;
            let read_back = secrets.read(KEYRING_PROBE_KEY)?;
            secrets.delete(KEYRING_PROBE_KEY)?;
            Ok(read_back.as_ref() == Some(&probe))
        })
        .await;
        match outcome {
            Ok(true) => KeyringStatus {
                available: true,
                message: "The system keyring works: account tokens will be kept there.".into(),
            },
            Ok(false) => KeyringStatus {
                available: false,
                message: "The system keyring accepted a secret but returned something else.".into(),
            },
            Err(e) => {
                tracing::warn!(error = %e, "keyring check failed");
                KeyringStatus {
                    available: false,
                    message: e.to_string(),
                }
            }
        }
    }

    pub fn status(&self) -> AppStatus {
        AppStatus {
            data_dir: self.data_dir.display().to_string(),
            notifications_paused_until: self
                .notification_settings()
                .paused_until
                .filter(|until| *until > self.services.clock.now()),
            recovered: self.store.recovery().map(earshot_store::Recovery::words),
        }
    }
}

/// Runs a store call on the blocking pool: SQLite must not stall an async worker.
pub(crate) async fn on_store<T, F>(store: &Arc<Store>, call: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = Arc::clone(store);
    blocking(move || call(&store).map_err(Error::from)).await
}

pub(crate) async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| Error::TaskFailed(e.to_string()))?
}
