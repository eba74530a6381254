-- A training's measured effect is that of earlier runs of the same title (the gap card, the IDP's
-- choices): each looked up every training. At 100 000 staff (16 000 trainings) the card's
-- trainings took 2.7 s of the database, and 32 readers of it held every pooled connection.
create index trainings_title_idx on trainings (title);
