//! Earshot's domain: the types every other crate speaks in and the rules that need no I/O.
//!
//! Nothing here touches the disk, the network or the wall clock directly; time comes in
//! through [`Clock`] so that tests can pin it.

pub mod account;
pub mod alerts;
pub mod clock;
pub mod draft;
pub mod event;
pub mod heard;
pub mod history;
pub mod inbox;
pub mod plan;
pub mod plan_doc;
pub mod question;
pub mod report;
pub mod richtext;
pub mod sensitive;
pub mod tid;

pub use account::{Account, AccountId, Network};
pub use alerts::{NotificationSettings, QuietDay, SettingsError};
pub use clock::{Clock, FixedClock, SystemClock, Timestamp};
pub use draft::{Draft, DraftBody, DraftError, DraftId};
pub use event::{
    Event, EventDetails, EventError, EventHoldRule, EventId, EventListening, Topic, TopicId,
};
pub use heard::{HeardFigures, HeardList, HeardSettings, HeardSettingsError};
pub use history::{HistoryProgress, HistoryState, READ_BACK_DAYS, ReadBack};
pub use inbox::{
    InboxItem, InboxItemId, InboxReason, IncomingPost, ItemState, OwedQueue, OwnPost, Person,
    PostRef, SyncMarks, SyncRecord, Walk,
};
pub use plan::{
    FollowUp, ImageInfo, PlanError, PlanId, PlanImage, PlanInput, PlanSettings, PlanStatus,
    PlanTarget, PlannedPart, PlannedPost, PlannedPostId, PostLimits, outgoing_texts, tidy_language,
    tidy_warning, validate_images, validate_parts,
};
pub use question::{
    QUESTION_THRESHOLD, QuestionKind, QuestionVerdict, detect_question, detect_question_in,
};
pub use report::{
    AnswerTimes, LeftHanging, Outcomes, PostDrew, Report, ReportDay, ReportError, ReportRequest,
    ReportScope,
};
pub use sensitive::Sensitive;
