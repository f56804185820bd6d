-- Images on a plan's first post, shared by its targets. They go when the plan's last row
-- goes, however that happens (the plan deleted, its event deleted, its account removed).
CREATE TABLE plan_images (
    plan_id   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    mime      TEXT NOT NULL,
    alt       TEXT NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (plan_id, position)
) STRICT;

CREATE TRIGGER plan_images_follow_their_plan AFTER DELETE ON planned_posts
WHEN NOT EXISTS (SELECT 1 FROM planned_posts WHERE plan_id = OLD.plan_id)
BEGIN
    DELETE FROM plan_images WHERE plan_id = OLD.plan_id;
END;
