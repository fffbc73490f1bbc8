pub mod two_step;
